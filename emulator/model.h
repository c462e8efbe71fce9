/*
 * model — the service models as C tables.
 *
 * At start-up the embedded botocore models (emulator/models/, written by
 * `make model`) for ses 2010-12-01 (Query), sesv2 2019-09-27 (REST-JSON) and
 * sns 2010-03-31 (Query) are parsed once into the immutable structures
 * below, which the codecs, the validator and the router read from every
 * thread without locks. The two SES models are what model_op_count and
 * model_op_at walk (coverage, health, policy actions); SNS operations have
 * indices after them. This module does not decode, validate or route
 * requests itself.
 */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>
#include <stdint.h>

enum model_type {
	MODEL_STRUCTURE,
	MODEL_LIST,
	MODEL_MAP,
	MODEL_STRING,
	MODEL_INTEGER,
	MODEL_LONG,
	MODEL_FLOAT,
	MODEL_DOUBLE,
	MODEL_BOOLEAN,
	MODEL_TIMESTAMP,
	MODEL_BLOB,
};

/* Where a member travels on the wire (REST-JSON; Query has body only). */
enum model_location {
	MODEL_LOC_BODY,
	MODEL_LOC_URI,
	MODEL_LOC_QUERY,
	MODEL_LOC_HEADER,
	MODEL_LOC_HEADERS,	/* map of prefixed headers */
	MODEL_LOC_STATUS,	/* output only: the HTTP status code */
};

struct model_shape;

struct model_member {
	const char *name;		/* model name, e.g. "Destination" */
	const char *wire_name;		/* locationName, else name */
	const struct model_shape *shape;
	enum model_location location;
	unsigned required : 1;
	unsigned idempotency_token : 1;
};

struct model_shape {
	const char *name;
	enum model_type type;
	/* Length (string, blob, list, map) or value (numbers) limits. */
	unsigned has_min : 1;
	unsigned has_max : 1;
	unsigned flattened : 1;
	unsigned sensitive : 1;
	unsigned exception : 1;
	unsigned fault : 1;		/* server fault (5xx) */
	double min;
	double max;
	const char *pattern;		/* NULL when none */
	const char **enums;		/* allowed strings; nenums == 0: any */
	size_t nenums;
	struct model_member *members;	/* structure, in model order */
	size_t nmembers;
	struct model_member *member;	/* list element */
	struct model_member *key;	/* map key */
	struct model_member *value;	/* map value */
	const char *timestamp_format;	/* NULL: the protocol's default */
	const char *error_code;		/* exceptions: code on the wire */
	int error_status;		/* exceptions: HTTP status */
};

/* One segment of a REST URI template: literal text or a {Label}. */
struct model_segment {
	const char *literal;		/* NULL for a label */
	const struct model_member *label;
	unsigned greedy : 1;		/* {Label+}: matches the rest of the path */
};

struct model_service;

struct model_op {
	const char *name;
	const struct model_service *service;
	const char *method;
	const char *request_uri;	/* as in the model */
	struct model_segment *segments;	/* path template, split on '/' */
	size_t nsegments;
	size_t nliterals;		/* literal segments: more is more specific */
	const struct model_shape *input;	/* NULL when the op takes none */
	const struct model_shape *output;	/* NULL when it returns none */
	const char *result_wrapper;	/* Query: e.g. "GetSendQuotaResult" */
	int response_code;		/* REST: success status (default 200) */
	const struct model_shape **errors;
	size_t nerrors;
	size_t index;			/* 0 .. model_op_slots()-1 across services */
};

struct model_service {
	const char *name;		/* "ses", "sesv2" or "sns" */
	const char *api_version;
	const char *protocol;		/* "query" or "rest-json" */
	const char *xml_namespace;	/* Query only */
	const char *botocore_version;	/* what `make model` read */
	int rest;			/* protocol is rest-json */
	struct model_op *ops;		/* sorted by name */
	size_t nops;
	struct model_shape *shapes;	/* sorted by name */
	size_t nshapes;
};

/*
 * Parses the embedded models. Returns 0, or -1 with a line in err when an
 * embedded model is broken (a build defect: the caller exits).
 */
int model_load(char *err, size_t errlen) __attribute__((warn_unused_result));
/* Releases everything model_load built; no model_* call is valid after. */
void model_free(void);

/* The loaded services (borrowed, valid until model_free). */
const struct model_service *model_ses(void);
const struct model_service *model_sesv2(void);
const struct model_service *model_sns(void);
/* Number of SES operations (ses and sesv2); their indices come first. */
size_t model_op_count(void);
/* Number of operation indices over every service, SNS included (for
 * tables indexed by model_op.index). */
size_t model_op_slots(void);
/* SES operation by index (< model_op_count()), or NULL. */
const struct model_op *model_op_at(size_t index);

/* Look-ups by exact name, or NULL (borrowed). */
const struct model_op *model_op_find(const struct model_service *svc,
    const char *name);
const struct model_shape *model_shape_find(const struct model_service *svc,
    const char *name);
const struct model_member *model_member_find(const struct model_shape *s,
    const char *name);
/* The exception shape whose wire code is code, or NULL (borrowed). */
const struct model_shape *model_error_find(const struct model_service *svc,
    const char *code);

/* Shape type name as in the model ("structure", "string", ...). */
const char *model_type_name(enum model_type t);

#endif
