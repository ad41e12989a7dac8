#pragma once
// Owning pointers for OpenSSL 3 objects, each freed by its own *_free.
//   crypto::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
//   static const crypto::MdPtr md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
#include <memory>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

namespace gatehouse::crypto {

template <auto Free>
struct OpensslFree {
  template <class T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
template <class T, auto Free>
using OpensslPtr = std::unique_ptr<T, OpensslFree<Free>>;

using BignumPtr = OpensslPtr<BIGNUM, &BN_free>;
using CipherPtr = OpensslPtr<EVP_CIPHER, &EVP_CIPHER_free>;
using CipherCtxPtr = OpensslPtr<EVP_CIPHER_CTX, &EVP_CIPHER_CTX_free>;
using MacPtr = OpensslPtr<EVP_MAC, &EVP_MAC_free>;
using MacCtxPtr = OpensslPtr<EVP_MAC_CTX, &EVP_MAC_CTX_free>;
using MdPtr = OpensslPtr<EVP_MD, &EVP_MD_free>;
using MdCtxPtr = OpensslPtr<EVP_MD_CTX, &EVP_MD_CTX_free>;
using ParamBldPtr = OpensslPtr<OSSL_PARAM_BLD, &OSSL_PARAM_BLD_free>;
using ParamPtr = OpensslPtr<OSSL_PARAM, &OSSL_PARAM_free>;
using PkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, &EVP_PKEY_CTX_free>;

}  // namespace gatehouse::crypto
