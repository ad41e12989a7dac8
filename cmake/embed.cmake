# gatehouse_embed(OUT FILES): writes OUT, a C++ file defining
# gatehouse::assets::find(name) over the given files, keyed by file name.
function(gatehouse_embed out files)
  # A CMake list would be split into separate arguments; pass it '|'-joined.
  string(REPLACE ";" "|" joined "${files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DFILES=${joined}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    VERBATIM
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding templates, stylesheet and migrations")
endfunction()
