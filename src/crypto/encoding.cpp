#include "crypto/encoding.hpp"

#include <array>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace gatehouse::crypto {
namespace {

constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Character -> 6-bit value; kInvalid (above 63) marks characters outside the
// alphabet, so OR-ing a block's values and comparing once catches any of them.
using DecodeTable = std::array<std::uint8_t, 256>;
constexpr std::uint8_t kInvalid = 0xff;

constexpr DecodeTable make_table(std::string_view alphabet) {
  DecodeTable t{};
  for (auto& v : t) v = kInvalid;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  return t;
}

constexpr DecodeTable kUrlTable = make_table(kUrlAlphabet);
constexpr DecodeTable kStdTable = make_table(kStdAlphabet);

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// A vector decoder for the bulk of the text: decodes a prefix of in (a
// multiple of 4 characters) into out and returns its length, or kRejected
// when that prefix holds a character outside the alphabet. It may store up to
// 8 bytes past the bytes it decodes, never past the end of the whole output.
using BulkDecoder = std::size_t (*)(const unsigned char* in, std::size_t n, unsigned char* out);
constexpr std::size_t kRejected = SIZE_MAX;

#if defined(__x86_64__)
// base64url with AVX2, 32 characters to 24 bytes per step (Muła and Lemire,
// "Faster Base64 Encoding and Decoding Using AVX2 Instructions", 2018, with
// range compares for the URL-safe alphabet instead of their nibble tables).
// ID tokens are decoded on every sign-in; the table loop below took as long
// as the rest of JOSE outside RSA (bench/jose_bench.cpp).
// Bytes of v in lo..hi (all of 0x00..0x7f; bytes >= 0x80 compare as negative).
__attribute__((target("avx2"))) inline __m256i in_range(__m256i v, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), v));
}

__attribute__((target("avx2"))) std::size_t decode_url_avx2(const unsigned char* in, std::size_t n,
                                                            unsigned char* out) {
  const __m256i shuffle = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                           2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i gather = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
  std::size_t done = 0;
  // 44 characters left decode to at least 33 bytes, so the 32-byte store
  // stays inside the output.
  for (; n - done >= 44; done += 32, out += 24) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + done));
    const __m256i upper = in_range(v, 'A', 'Z');
    const __m256i lower = in_range(v, 'a', 'z');
    const __m256i digit = in_range(v, '0', '9');
    const __m256i dash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('-'));
    const __m256i under = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_'));
    const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                          _mm256_or_si256(digit, _mm256_or_si256(dash, under)));
    if (_mm256_movemask_epi8(valid) != -1) return kRejected;
    // Character to 6-bit value: A-Z -65, a-z -71, 0-9 +4, '-' +17, '_' -32.
    __m256i shift = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
    shift = _mm256_or_si256(shift, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
    shift = _mm256_or_si256(shift, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
    shift = _mm256_or_si256(shift, _mm256_and_si256(dash, _mm256_set1_epi8(17)));
    shift = _mm256_or_si256(shift, _mm256_and_si256(under, _mm256_set1_epi8(-32)));
    const __m256i sextets = _mm256_add_epi8(v, shift);
    // a,b,c,d -> (a << 6 | b), (c << 6 | d) -> a << 18 | b << 12 | c << 6 | d.
    const __m256i pairs = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));
    const __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    // Three big-endian bytes from each 32-bit word, then the two lanes' 12
    // bytes side by side.
    const __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(words, shuffle), gather);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), packed);
  }
  return done;
}

BulkDecoder url_bulk_decoder() {
  static const BulkDecoder decoder = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? &decode_url_avx2 : nullptr;
  }();
  return decoder;
}
#else
BulkDecoder url_bulk_decoder() { return nullptr; }
#endif

// Decodes unpadded text, four characters at a time into a buffer sized up
// front (tokens are decoded on every request). Only one encoding of each byte
// string is accepted: the unused low bits of the last character must be zero
// (RFC 4648 §3.5), so a signature or key cannot be re-spelled unnoticed.
bool decode_unpadded(std::string_view text, const DecodeTable& table, std::string& out,
                     BulkDecoder bulk = nullptr) {
  const std::size_t rest = text.size() % 4;
  if (rest == 1) return false;
  const std::size_t blocks = text.size() / 4;
  out.resize(blocks * 3 + (rest == 0 ? 0 : rest - 1));
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::size_t i = 0;
  if (bulk != nullptr) {
    const std::size_t done = bulk(in, text.size(), o);
    if (done == kRejected) return false;
    i = done / 4;
    in += done;
    o += done / 4 * 3;
  }
  for (; i < blocks; ++i, in += 4, o += 3) {
    const std::uint32_t a = table[in[0]], b = table[in[1]], c = table[in[2]], d = table[in[3]];
    if ((a | b | c | d) > 63) return false;
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
  }
  if (rest == 2) {
    const std::uint32_t a = table[in[0]], b = table[in[1]];
    if ((a | b) > 63 || (b & 0x0f) != 0) return false;
    o[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
  } else if (rest == 3) {
    const std::uint32_t a = table[in[0]], b = table[in[1]], c = table[in[2]];
    if ((a | b | c) > 63 || (c & 0x03) != 0) return false;
    const std::uint32_t v = (a << 12) | (b << 6) | c;
    o[0] = static_cast<unsigned char>(v >> 10);
    o[1] = static_cast<unsigned char>(v >> 2);
  }
  return true;
}

std::optional<std::string> decode_unpadded(std::string_view text, const DecodeTable& table,
                                           BulkDecoder bulk = nullptr) {
  std::string out;
  if (!decode_unpadded(text, table, out, bulk)) return std::nullopt;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrlAlphabet, false); }

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode_unpadded(text, kUrlTable, url_bulk_decoder());
}

bool base64url_decode_into(std::string_view text, std::string& out) {
  return decode_unpadded(text, kUrlTable, out, url_bulk_decoder());
}

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStdAlphabet, true); }

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  // A third '=' stays in the body and is rejected as outside the alphabet.
  return decode_unpadded(text.substr(0, text.size() - pad), kStdTable);
}

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace gatehouse::crypto
