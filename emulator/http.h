/*
 * http — the HTTP server: libmicrohttpd with its internal thread pool,
 * each worker on poll(2) (not epoll: see http_start). Collects each request
 * in full (bounded by HTTP_BODY_MAX_BYTES), hands it to route_handle,
 * writes the answer and one logfmt access line carrying req= (the
 * RequestId returned to the client). A write's answer
 * waits for its group commit with the connection suspended, so the worker
 * serves other connections meanwhile; so does an answer deferred until
 * something is committed (notify.h), and a streamed answer (route_stream:
 * the live feed) between the frames it sends. It makes no decisions about
 * the request's meaning.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* SES v2 takes messages up to 40 MB after base64; leave room for JSON. */
#define HTTP_BODY_MAX_BYTES (42 * 1024 * 1024)
#define HTTP_HEADERS_MAX 64
#define HTTP_CONNECTION_TIMEOUT_S 120

/*
 * Starts serving on listen ("HOST:PORT"; port 0 picks a free one) with
 * threads worker threads. Returns 0, or -1 with err set.
 */
int http_start(const char *listen, unsigned threads, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* The port actually bound (after http_start). */
uint16_t http_port(void);
/*
 * Appends to b the base URL sesbox is reached at, without a trailing '/':
 * public_url (borrowed) when not NULL, else http://HOST:PORT of the listen
 * address ("HOST:PORT", borrowed) with the bound port, a wildcard host
 * replaced by loopback. For links sesbox hands out (verification, SNS).
 */
void http_base_url(const char *public_url, const char *listen,
    struct buf *b);
/* Stops: answers waiting requests 503 and ends streams (notify_shutdown),
 * lets parked and queued answers go out, finishes the requests under way
 * and frees the daemon. */
void http_stop(void);

#endif
