/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The "proto" suite: the SRP wire codec, one test case per codec file. */
#include <stdlib.h>

#include "proto-test.h"

int main(void)
{
	Suite *s = suite_create("proto");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, tcase_srp_login());
	suite_add_tcase(s, tcase_srp_cmd());
	suite_add_tcase(s, tcase_srp_rsp());
	suite_add_tcase(s, tcase_srp_iu());
	suite_add_tcase(s, tcase_srp_names());

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
