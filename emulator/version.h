/* version — the sesbox release this source is. */
#ifndef VERSION_H
#define VERSION_H

#define SESBOX_VERSION "0.1.0"

#endif
