/*
 * test_valid — the model validator's Coral-style messages beyond what the
 * codec goldens cover: the cap on listed violations, long values, numbers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model.h"
#include "valid.h"

START_TEST(t_caps_listed_errors)
{
	struct model_shape str = { .name = "S", .type = MODEL_STRING };
	struct model_member m[12];
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = m, .nmembers = 12 };
	char names[12][8];
	struct awserr e;
	json_t *obj = json_object();
	size_t i, count = 0;
	const char *p;

	for (i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "M%zu", i);
		m[i] = (struct model_member){ .name = names[i],
		    .wire_name = names[i], .shape = &str, .required = 1 };
	}
	awserr_init(&e);
	ck_assert_int_eq(valid_input(&in, obj, "ValidationError", &e), -1);
	ck_assert_str_eq(e.code, "ValidationError");
	ck_assert(strncmp(e.message, "12 validation errors detected: ", 31) ==
	    0);
	for (p = e.message; (p = strstr(p, "Member must not be null")); p++)
		count++;
	ck_assert_uint_eq(count, VALID_ERRORS_MAX);
	json_decref(obj);
}
END_TEST

START_TEST(t_long_value_cut)
{
	struct model_shape str = { .name = "S", .type = MODEL_STRING,
	    .has_max = 1, .max = 3 };
	struct model_member m = { .name = "Name", .wire_name = "Name",
	    .shape = &str };
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = &m, .nmembers = 1 };
	char big[1001];
	struct awserr e;
	json_t *obj;

	memset(big, 'x', 1000);
	big[1000] = '\0';
	obj = json_pack("{s:s}", "Name", big);
	awserr_init(&e);
	ck_assert_int_eq(valid_input(&in, obj, "BadRequestException", &e),
	    -1);
	ck_assert(strlen(e.message) < 400);
	ck_assert_ptr_nonnull(strstr(e.message, "...' at 'name' failed to "
	    "satisfy constraint: Member must have length less than or equal "
	    "to 3"));
	json_decref(obj);
}
END_TEST

START_TEST(t_utf8_length_counts_characters)
{
	struct model_shape str = { .name = "S", .type = MODEL_STRING,
	    .has_max = 1, .max = 3 };
	struct model_member m = { .name = "N", .wire_name = "N",
	    .shape = &str };
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = &m, .nmembers = 1 };
	struct awserr e;
	json_t *obj = json_pack("{s:s}", "N", "\xc3\xa9\xc3\xa9\xc3\xa9");

	awserr_init(&e);
	ck_assert_int_eq(valid_input(&in, obj, "X", &e), 0);
	json_decref(obj);
}
END_TEST

START_TEST(t_ranges)
{
	struct model_shape num = { .name = "I", .type = MODEL_INTEGER,
	    .has_min = 1, .min = 1, .has_max = 1, .max = 50 };
	struct model_member m = { .name = "MaxResults",
	    .wire_name = "MaxResults", .shape = &num };
	struct model_shape in = { .name = "In", .type = MODEL_STRUCTURE,
	    .members = &m, .nmembers = 1 };
	struct awserr e;
	json_t *obj = json_pack("{s:i}", "MaxResults", 0);

	awserr_init(&e);
	ck_assert_int_eq(valid_input(&in, obj, "ValidationError", &e), -1);
	ck_assert_str_eq(e.message, "1 validation error detected: Value '0' "
	    "at 'maxResults' failed to satisfy constraint: Member must have "
	    "value greater than or equal to 1");
	json_decref(obj);
	obj = json_pack("{s:i}", "MaxResults", 50);
	ck_assert_int_eq(valid_input(&in, obj, "ValidationError", &e), 0);
	json_decref(obj);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("valid");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, t_caps_listed_errors);
	tcase_add_test(tc, t_long_value_cut);
	tcase_add_test(tc, t_utf8_length_counts_characters);
	tcase_add_test(tc, t_ranges);
	suite_add_tcase(s, tc);
	return fixture_run(s);
}
