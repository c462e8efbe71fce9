/*
 * op_policy — sending-authorization policies on identities (v1 Put/Get/List/DeleteIdentityPolicy, v2 Create/Get/Update/DeleteEmailIdentityPolicy, GetEmailIdentityPolicies).
 * No operation is registered yet: those listed answer NotImplemented until
 * their handlers land here.
 */
#include "op.h"

const struct op_entry op_policy_table[] = {
	{ NULL, NULL, NULL },
};
