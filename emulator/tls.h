/*
 * tls — the server TLS context of the SMTP listeners: loads the operator's
 * PEM certificate (chain) and key, or makes and keeps a self-signed pair
 * for localhost in the data directory, and gives back a ready SSL_CTX and
 * the certificate's SHA-256 fingerprint for the log.
 *
 * This module does no I/O on sockets, keeps no state between calls and
 * does not log: the SMTP code owns the connections and says what happened.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#define TLS_FINGERPRINT_BYTES 96 /* "AA:BB:..." SHA-256, 32*3 chars incl. NUL */
#define TLS_CERT_FILE "smtp-tls-cert.pem"
#define TLS_KEY_FILE "smtp-tls-key.pem"

/*
 * A server SSL_CTX (new; SSL_CTX_free it), TLS 1.2 minimum, without session
 * resumption or renegotiation, for cert_file and key_file (PEM, borrowed;
 * give both or neither). cert_file holds the certificate, optionally
 * followed by its chain. When both are NULL it uses dir/smtp-tls-cert.pem
 * and dir/smtp-tls-key.pem, writing them first (each atomically, the key
 * mode 0600) when either is missing: an ECDSA P-256 key and a self-signed
 * certificate for DNS:localhost, IP:127.0.0.1 and IP:::1 that a client can
 * use as its own trust anchor (CA file).
 *
 * On success sets fingerprint (SHA-256 of the certificate's DER as
 * upper-case hex pairs joined by ':'), *generated (1 when the files were
 * written now, else 0) and cert_path (the certificate file used, into a
 * buffer of path_len bytes); each of the three may be NULL. On failure
 * returns NULL with err (errlen bytes) set to one line naming the option
 * at fault, e.g. "smtp-tls-key: the key does not match the certificate".
 * Either way the thread's OpenSSL error queue is left empty.
 */
SSL_CTX *tls_server_ctx(const char *cert_file, const char *key_file,
    const char *dir, char fingerprint[TLS_FINGERPRINT_BYTES], int *generated,
    char *cert_path, size_t path_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
