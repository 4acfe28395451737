/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * A main() for the fuzz targets without libFuzzer: runs every file named on
 * the command line (or found in a directory named there) through
 * LLVMFuzzerTestOneInput() once, so that any compiler replays the seed
 * corpus and saved crashes as an ordinary test.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	uint8_t *buf;
	FILE *f;
	long n;

	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	/* Exact size, so that ASan sees reads past the end. */
	buf = fuzz_alloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	int ret = 0;
	DIR *d;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return run_file(path);
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (run_path(sub, count))
			ret = -1;
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	int count = 0, ret = 0;

	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count))
			ret = 1;
	printf("%d inputs replayed\n", count);
	return ret || count == 0;
}
