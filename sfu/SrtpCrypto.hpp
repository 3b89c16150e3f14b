// Debian builds libsrtp2 against NSS, whose backend creates and destroys a PKCS #11 context
// for every packet's AES-CM keystream and every HMAC (PK11_CreateContextBySymKey per call):
// with libsrtp's stream lookup, SRTP was ~11 % of the SFU's CPU in a 6x6 mesh profile, for
// about a microsecond of real work per packet. libsrtp lets a process replace the
// implementation of a crypto type (srtp_replace_cipher_type / srtp_replace_auth_type, public
// API, each replacement self-tested by libsrtp before use): this puts OpenSSL's AES-128-CTR
// and HMAC-SHA1 (AES-NI, SHA-NI) behind SRTP_AES_ICM_128 and SRTP_HMAC_SHA1, with contexts
// kept per stream (a new IV or a restart per packet, no allocation). It covers
// AES_CM_128_HMAC_SHA1_80/32, the only profiles webrtcbin 1.22's DTLS offers; everything
// else stays libsrtp's. The crypto kernel is process-wide, so srtpenc and srtpdec (which use
// the same libsrtp2) get it too.
#pragma once

#include <string>

namespace carrel::sfu {

class SrtpCrypto {
 public:
  // Once per process, before any SRTP session exists. False (and why) when libsrtp refused a
  // replacement (its self-test failed); what was not replaced stays libsrtp's own.
  static bool useOpenSsl(std::string* error);
  // Cipher and HMAC contexts made by the replacements (one each per SRTP stream, none per
  // packet): tests read it to see libsrtp really uses them.
  static unsigned contextsMade();
};

}  // namespace carrel::sfu
