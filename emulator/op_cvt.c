/*
 * op_cvt — custom verification email templates (v1 and v2 Create/Get/Update/Delete/List) and SendCustomVerificationEmail.
 * No operation is registered yet: those listed answer NotImplemented until
 * their handlers land here.
 */
#include "op.h"

const struct op_entry op_cvt_table[] = {
	{ NULL, NULL, NULL },
};
