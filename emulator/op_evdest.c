/*
 * op_evdest — configuration-set event destinations in both APIs over one
 * core (evdest): v1 Create/Update/DeleteConfigurationSetEventDestination,
 * v2 Create/Get/Update/DeleteConfigurationSetEventDestination(s). The
 * handlers only pick the members each API names; v1's listing is
 * DescribeConfigurationSet's eventDestinations (op_cs).
 */
#include "evdest.h"
#include "op.h"

static const char *
evdest_str(const json_t *in, const char *member)
{
	return json_string_value(json_object_get(in, member));
}

static int
op_create_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *def = json_object_get(in, "EventDestination");

	(void)out;
	return evdest_create(ctx, evdest_str(in, "ConfigurationSetName"),
	    evdest_str(def, "Name"), def, e);
}

static int
op_update_v1(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	const json_t *def = json_object_get(in, "EventDestination");

	(void)out;
	return evdest_update(ctx, evdest_str(in, "ConfigurationSetName"),
	    evdest_str(def, "Name"), def, e);
}

static int
op_create_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return evdest_create(ctx, evdest_str(in, "ConfigurationSetName"),
	    evdest_str(in, "EventDestinationName"),
	    json_object_get(in, "EventDestination"), e);
}

static int
op_update_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return evdest_update(ctx, evdest_str(in, "ConfigurationSetName"),
	    evdest_str(in, "EventDestinationName"),
	    json_object_get(in, "EventDestination"), e);
}

/* Both APIs name the set and the destination alike. */
static int
op_delete(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	(void)out;
	return evdest_delete(ctx, evdest_str(in, "ConfigurationSetName"),
	    evdest_str(in, "EventDestinationName"), e);
}

static int
op_get_v2(struct op_ctx *ctx, const json_t *in, json_t **out,
    struct awserr *e)
{
	json_t *list = evdest_list(ctx, evdest_str(in,
	    "ConfigurationSetName"), e);

	if (list == NULL)
		return -1;
	*out = json_pack("{s:o}", "EventDestinations", list);
	return 0;
}

const struct op_entry op_evdest_table[] = {
	{ "ses", "CreateConfigurationSetEventDestination", op_create_v1 },
	{ "ses", "DeleteConfigurationSetEventDestination", op_delete },
	{ "ses", "UpdateConfigurationSetEventDestination", op_update_v1 },
	{ "sesv2", "CreateConfigurationSetEventDestination", op_create_v2 },
	{ "sesv2", "DeleteConfigurationSetEventDestination", op_delete },
	{ "sesv2", "GetConfigurationSetEventDestinations", op_get_v2 },
	{ "sesv2", "UpdateConfigurationSetEventDestination", op_update_v2 },
	{ NULL, NULL, NULL },
};
