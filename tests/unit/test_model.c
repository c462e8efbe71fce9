/*
 * test_model — the embedded service models as C tables: counts against
 * shared/operations.tsv's 71 + 110, look-ups, URI templates, error codes
 * and statuses (SES-REFERENCE §1.4, §2.3), and the handler table binding.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"
#include "op.h"

static void
setup(void)
{
	char err[256];

	fixture_model_setup();
	ck_assert_msg(op_init(err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	op_fini();
	fixture_model_teardown();
}

START_TEST(t_counts_and_metadata)
{
	ck_assert_uint_eq(model_ses()->nops, 71);
	ck_assert_uint_eq(model_sesv2()->nops, 110);
	ck_assert_uint_eq(model_op_count(), 181);
	/* SNS: indices after SES's, outside the SES count. */
	ck_assert_uint_eq(model_sns()->nops, 42);
	ck_assert_uint_eq(model_op_slots(), 181 + 42);
	ck_assert_str_eq(model_sns()->name, "sns");
	ck_assert_str_eq(model_sns()->protocol, "query");
	ck_assert_str_eq(model_sns()->api_version, "2010-03-31");
	ck_assert_str_eq(model_sns()->xml_namespace,
	    "http://sns.amazonaws.com/doc/2010-03-31/");
	ck_assert_uint_ge(model_op_find(model_sns(), "Publish")->index, 181);
	ck_assert_ptr_null(model_op_find(model_ses(), "Publish"));
	ck_assert_str_eq(model_ses()->protocol, "query");
	ck_assert_str_eq(model_sesv2()->protocol, "rest-json");
	ck_assert_str_eq(model_ses()->xml_namespace,
	    "http://ses.amazonaws.com/doc/2010-12-01/");
	ck_assert_str_eq(model_ses()->api_version, "2010-12-01");
	ck_assert_str_eq(model_sesv2()->api_version, "2019-09-27");
}
END_TEST

START_TEST(t_every_op_indexed_and_bound)
{
	size_t i;

	for (i = 0; i < model_op_count(); i++) {
		const struct model_op *op = model_op_at(i);

		ck_assert_ptr_nonnull(op);
		ck_assert_uint_eq(op->index, i);
		ck_assert_ptr_eq(model_op_find(op->service, op->name), op);
		ck_assert_ptr_nonnull(op->method);
		if (!op->service->rest) {
			ck_assert_str_eq(op->method, "POST");
			ck_assert_str_eq(op->request_uri, "/");
		} else {
			ck_assert_uint_ge(op->nsegments, 2);
			ck_assert_str_eq(op->segments[0].literal, "v2");
		}
	}
	ck_assert_ptr_null(model_op_at(181));
	ck_assert_ptr_null(model_op_find(model_ses(), "SendPigeon"));
}
END_TEST

START_TEST(t_shapes)
{
	const struct model_op *op = model_op_find(model_ses(), "SendEmail");
	const struct model_member *m;

	ck_assert_ptr_nonnull(op);
	ck_assert_str_eq(op->result_wrapper, "SendEmailResult");
	ck_assert_int_eq(op->input->type, MODEL_STRUCTURE);
	m = model_member_find(op->input, "Destination");
	ck_assert_ptr_nonnull(m);
	ck_assert(m->required);
	m = model_member_find(m->shape, "ToAddresses");
	ck_assert_int_eq(m->shape->type, MODEL_LIST);
	ck_assert_int_eq(m->shape->member->shape->type, MODEL_STRING);
	ck_assert(!model_member_find(op->input, "ReturnPath")->required);

	op = model_op_find(model_sesv2(), "GetDedicatedIp");
	ck_assert_uint_eq(op->nsegments, 4);
	ck_assert_ptr_null(op->segments[3].literal);
	ck_assert_str_eq(op->segments[3].label->name, "Ip");
	ck_assert_str_eq(op->segments[3].label->wire_name, "IP");
	ck_assert_int_eq(op->segments[3].label->location, MODEL_LOC_URI);

	op = model_op_find(model_sesv2(), "ListEmailIdentities");
	m = model_member_find(op->input, "PageSize");
	ck_assert_int_eq(m->location, MODEL_LOC_QUERY);
	ck_assert_int_eq(m->shape->type, MODEL_INTEGER);
}
END_TEST

START_TEST(t_error_codes)
{
	static const struct {
		int v2;
		const char *code;
		int status;
	} cases[] = {
		{ 0, "AlreadyExists", 400 },
		{ 0, "TemplateDoesNotExist", 400 },
		{ 0, "MessageRejected", 400 },
		{ 0, "ConfigurationSetDoesNotExist", 400 },
		{ 0, "AccountSendingPausedException", 400 },
		{ 1, "NotFoundException", 404 },
		{ 1, "TooManyRequestsException", 429 },
		{ 1, "ConflictException", 409 },
		{ 1, "BadRequestException", 400 },
		{ 1, "ConcurrentModificationException", 500 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct model_shape *s = model_error_find(cases[i].v2 ?
		    model_sesv2() : model_ses(), cases[i].code);

		ck_assert_msg(s != NULL, "%s", cases[i].code);
		ck_assert_int_eq(s->error_status, cases[i].status);
	}
	/* The v1 wire code differs from the shape name. */
	ck_assert_ptr_null(model_error_find(model_ses(),
	    "AlreadyExistsException"));
}
END_TEST

START_TEST(t_write_classification)
{
	ck_assert(!op_writes(model_op_find(model_ses(), "GetSendQuota")));
	ck_assert(!op_writes(model_op_find(model_ses(), "ListIdentities")));
	ck_assert(!op_writes(model_op_find(model_ses(),
	    "DescribeConfigurationSet")));
	ck_assert(op_writes(model_op_find(model_ses(), "SendEmail")));
	ck_assert(op_writes(model_op_find(model_sesv2(), "PutAccountDetails")));
}
END_TEST

START_TEST(t_not_implemented_names_op)
{
	/* An operation of a late area (receipt rules). */
	const struct model_op *op = model_op_find(model_ses(),
	    "DescribeActiveReceiptRuleSet");
	struct awserr e;
	json_t *out = NULL;

	ck_assert_ptr_null(op_handler(op));
	awserr_init(&e);
	ck_assert_int_eq(op_call(NULL, op, NULL, &out, &e), -1);
	ck_assert_str_eq(e.code, "NotImplemented");
	ck_assert_str_eq(e.message,
	    "sesbox does not implement DescribeActiveReceiptRuleSet (ses "
	    "2010-12-01) yet");
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(op_handler(model_op_find(model_ses(),
	    "GetSendQuota")));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t_counts_and_metadata);
	tcase_add_test(tc, t_every_op_indexed_and_bound);
	tcase_add_test(tc, t_shapes);
	tcase_add_test(tc, t_error_codes);
	tcase_add_test(tc, t_write_classification);
	tcase_add_test(tc, t_not_implemented_names_op);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
