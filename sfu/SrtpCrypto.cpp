#include "SrtpCrypto.hpp"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose contexts cannot be
// copied without a heap allocation; they are still built, with the same SHA-NI code.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <gst/gst.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace carrel::sfu {

namespace {

// libsrtp's key for AES-128 counter mode is the key and the 14-byte session salt.
constexpr int kIcmKeyLen = 16;
constexpr int kIcmKeyWithSaltLen = 30;
constexpr int kSha1Len = 20;

std::atomic<unsigned> contextCount{0};

struct IcmState {
  EVP_CIPHER_CTX* ctx = nullptr;
  uint8_t offset[16] = {};  // salt || 0x0000 (RFC 3711 4.1.1)
  ~IcmState() { EVP_CIPHER_CTX_free(ctx); }
};

extern const srtp_cipher_type_t kIcm;

srtp_err_status_t icmAlloc(srtp_cipher_t** c, int keyLen, int) {
  if (keyLen != kIcmKeyWithSaltLen) return srtp_err_status_bad_param;
  auto* cipher = new (std::nothrow) srtp_cipher_t{};
  auto* st = new (std::nothrow) IcmState();
  if (!cipher || !st || !(st->ctx = EVP_CIPHER_CTX_new())) {
    delete cipher;
    delete st;
    return srtp_err_status_alloc_fail;
  }
  cipher->type = &kIcm;
  cipher->state = st;
  cipher->key_len = keyLen;
  cipher->algorithm = SRTP_AES_ICM_128;
  *c = cipher;
  ++contextCount;
  return srtp_err_status_ok;
}

srtp_err_status_t icmDealloc(srtp_cipher_t* c) {
  delete static_cast<IcmState*>(c->state);
  delete c;
  return srtp_err_status_ok;
}

srtp_err_status_t icmInit(void* state, const uint8_t* key) {
  auto* st = static_cast<IcmState*>(state);
  std::memcpy(st->offset, key + kIcmKeyLen, kIcmKeyWithSaltLen - kIcmKeyLen);
  st->offset[14] = st->offset[15] = 0;
  return EVP_EncryptInit_ex(st->ctx, EVP_aes_128_ctr(), nullptr, key, nullptr) == 1
             ? srtp_err_status_ok
             : srtp_err_status_init_fail;
}

srtp_err_status_t icmSetIv(void* state, uint8_t* iv, srtp_cipher_direction_t) {
  auto* st = static_cast<IcmState*>(state);
  uint8_t counter[16];
  for (int i = 0; i < 16; ++i) counter[i] = st->offset[i] ^ iv[i];
  // Same key: only the counter block is new (no key schedule).
  return EVP_EncryptInit_ex(st->ctx, nullptr, nullptr, nullptr, counter) == 1
             ? srtp_err_status_ok
             : srtp_err_status_cipher_fail;
}

// Counter mode: decrypting is encrypting.
srtp_err_status_t icmCrypt(void* state, uint8_t* buffer, unsigned int* len) {
  auto* st = static_cast<IcmState*>(state);
  int out = 0;
  if (*len == 0) return srtp_err_status_ok;
  return EVP_EncryptUpdate(st->ctx, buffer, &out, buffer, static_cast<int>(*len)) == 1
             ? srtp_err_status_ok
             : srtp_err_status_cipher_fail;
}

// RFC 3711 B.2: the first two keystream blocks of the AES-CM test (all-zero index).
const uint8_t kIcmKey[kIcmKeyWithSaltLen] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
    0x3c, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd};
uint8_t kIcmIndex[16] = {};
const uint8_t kIcmZeros[32] = {};
const uint8_t kIcmKeystream[32] = {0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1,
                                   0x6d, 0xd9, 0x2b, 0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02,
                                   0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab};
const srtp_cipher_test_case_t kIcmTest = {kIcmKeyWithSaltLen, kIcmKey, kIcmIndex, 32, kIcmZeros, 32,
                                          kIcmKeystream,      0,       nullptr,   0,  nullptr};

const srtp_cipher_type_t kIcm = {
    icmAlloc,  icmDealloc,      icmInit,
    nullptr,   icmCrypt,        icmCrypt,
    icmSetIv,  nullptr,         "AES-128 counter mode (OpenSSL, Carrel)",
    &kIcmTest, SRTP_AES_ICM_128};

// HMAC (RFC 2104) by hand over SHA-1 contexts: the keyed inner and outer states are hashed
// once per key and copied per packet (a struct copy). OpenSSL's EVP_MAC restart duplicated
// its digest contexts on the heap per packet (~1 % of the SFU's CPU at 4x4).
constexpr int kSha1Block = 64;

struct HmacState {
  SHA_CTX innerKeyed{};
  SHA_CTX outerKeyed{};
  SHA_CTX inner{};
  ~HmacState() { OPENSSL_cleanse(this, sizeof *this); }
};

extern const srtp_auth_type_t kHmac;

srtp_err_status_t hmacAlloc(srtp_auth_t** a, int keyLen, int outLen) {
  if (keyLen < 0 || keyLen > kSha1Len || outLen < 0 || outLen > kSha1Len) {
    return srtp_err_status_bad_param;
  }
  auto* auth = new (std::nothrow) srtp_auth_t{};
  auto* st = new (std::nothrow) HmacState();
  if (!auth || !st) {
    delete auth;
    delete st;
    return srtp_err_status_alloc_fail;
  }
  auth->type = &kHmac;
  auth->state = st;
  auth->out_len = outLen;
  auth->key_len = keyLen;
  auth->prefix_len = 0;
  *a = auth;
  ++contextCount;
  return srtp_err_status_ok;
}

srtp_err_status_t hmacDealloc(srtp_auth_t* a) {
  delete static_cast<HmacState*>(a->state);
  delete a;
  return srtp_err_status_ok;
}

// Keys are at most a digest long (hmacAlloc), so never hashed down first.
srtp_err_status_t hmacInit(void* state, const uint8_t* key, int keyLen) {
  auto* st = static_cast<HmacState*>(state);
  if (keyLen < 0 || keyLen > kSha1Block) return srtp_err_status_bad_param;
  uint8_t ipad[kSha1Block], opad[kSha1Block];
  for (int i = 0; i < kSha1Block; ++i) {
    uint8_t k = i < keyLen ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  bool ok = SHA1_Init(&st->innerKeyed) == 1 &&
            SHA1_Update(&st->innerKeyed, ipad, kSha1Block) == 1 &&
            SHA1_Init(&st->outerKeyed) == 1 && SHA1_Update(&st->outerKeyed, opad, kSha1Block) == 1;
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  st->inner = st->innerKeyed;
  return ok ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

srtp_err_status_t hmacStart(void* state) {
  auto* st = static_cast<HmacState*>(state);
  st->inner = st->innerKeyed;
  return srtp_err_status_ok;
}

srtp_err_status_t hmacUpdate(void* state, const uint8_t* buffer, int len) {
  auto* st = static_cast<HmacState*>(state);
  if (len < 0) return srtp_err_status_bad_param;
  return SHA1_Update(&st->inner, buffer, static_cast<size_t>(len)) == 1 ? srtp_err_status_ok
                                                                        : srtp_err_status_auth_fail;
}

srtp_err_status_t hmacCompute(void* state, const uint8_t* buffer, int len, int tagLen,
                              uint8_t* tag) {
  auto* st = static_cast<HmacState*>(state);
  if (tagLen < 0 || tagLen > kSha1Len || len < 0) return srtp_err_status_bad_param;
  uint8_t innerDigest[kSha1Len], full[kSha1Len];
  SHA_CTX outer = st->outerKeyed;
  if (SHA1_Update(&st->inner, buffer, static_cast<size_t>(len)) != 1 ||
      SHA1_Final(innerDigest, &st->inner) != 1 || SHA1_Update(&outer, innerDigest, kSha1Len) != 1 ||
      SHA1_Final(full, &outer) != 1) {
    return srtp_err_status_auth_fail;
  }
  std::memcpy(tag, full, static_cast<size_t>(tagLen));
  return srtp_err_status_ok;
}

// RFC 2202, HMAC-SHA-1 test case 1.
const uint8_t kHmacKey[kSha1Len] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
const uint8_t kHmacData[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
const uint8_t kHmacTag[kSha1Len] = {0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
                                    0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
const srtp_auth_test_case_t kHmacTest = {kSha1Len, kHmacKey, 8,      kHmacData,
                                         kSha1Len, kHmacTag, nullptr};

const srtp_auth_type_t kHmac = {hmacAlloc,
                                hmacDealloc,
                                hmacInit,
                                hmacCompute,
                                hmacUpdate,
                                hmacStart,
                                "HMAC-SHA1 (OpenSSL, Carrel)",
                                &kHmacTest,
                                SRTP_HMAC_SHA1};

}  // namespace

bool SrtpCrypto::useOpenSsl(std::string* error) {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    // A second srtp_init (libsrtp started already, by the srtp plugin or a test) only re-runs
    // every type's self-test and may report one that is not ours: the replacements below
    // fail by themselves if the kernel is not up.
    srtp_err_status_t s = srtp_init();
    if (s != srtp_err_status_ok) GST_INFO("srtp_init: %d (started already)", s);
    s = srtp_replace_cipher_type(&kIcm, SRTP_AES_ICM_128);
    if (s != srtp_err_status_ok) {
      failure = "libsrtp refused the OpenSSL AES-CM (" + std::to_string(s) + ")";
      return;
    }
    s = srtp_replace_auth_type(&kHmac, SRTP_HMAC_SHA1);
    if (s != srtp_err_status_ok) {
      failure = "libsrtp refused the OpenSSL HMAC-SHA1 (" + std::to_string(s) + ")";
    }
  });
  if (!failure.empty() && error) *error = failure;
  return failure.empty();
}

unsigned SrtpCrypto::contextsMade() {
  return contextCount.load();
}

}  // namespace carrel::sfu
