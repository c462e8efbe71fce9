/*
 * addr — email address and domain syntax as SES checks it.
 *
 * AWS: SES's InvalidParameterValue texts for addresses ("Missing final
 * '@domain'", "Local address contains illegal character", ...) are those of
 * JavaMail's strict InternetAddress check (SES-REFERENCE §1.6); this module
 * reproduces that check for bare addresses (no display name, no route).
 * It does not parse header address lists (the MIME module will).
 */
#ifndef ADDR_H
#define ADDR_H

#include <stddef.h>

#define ADDR_WHY_MAX_BYTES 64
#define ADDR_DOMAIN_MAX_BYTES 253
#define ADDR_LABEL_MAX_BYTES 63

/*
 * Checks a bare address "local@domain". Returns 0, or -1 with why set to
 * the JavaMail reason ("Missing domain", ...).
 */
int addr_check(const char *address, char why[ADDR_WHY_MAX_BYTES]);
/*
 * Checks a domain name (letters, digits, '-' and '.', no empty labels, at
 * least two labels, labels <= 63 and name <= 253 characters). Returns 0 or
 * -1 with why set.
 */
int addr_domain_check(const char *domain, char why[ADDR_WHY_MAX_BYTES]);
/* The domain of an address (after the last '@'; borrowed), or NULL. */
const char *addr_domain(const char *address);
/* Non-zero when name is sub.domain of domain (or equals it when
 * allow_equal), compared without case. */
int addr_is_subdomain(const char *name, const char *domain, int allow_equal);

#endif
