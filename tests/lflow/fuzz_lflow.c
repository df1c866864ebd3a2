/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the logical flow parser: the input's first line is a
 * match, the rest actions. Built for libFuzzer with -Dfuzz=true; without
 * it, main() below replays the golden inputs with deterministic byte
 * mutations (a unit test under ASan/UBSan): no input may crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/lflow/arena.h"
#include "control/lflow/lflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	const char *actions = "next;";
	if (nl != NULL) {
		*nl = '\0';
		actions = nl + 1;
	}
	struct arena a;
	arena_init(&a);
	struct act_ctx ctx = {0, 3};
	struct lflow_result res;
	if (lflow_compile_text(buf, actions, &ctx, &a, &res) == 0) {
		dnf_format(&res.dnf, &a);
		actions_format(res.acts, &a);
		struct prog_buf pb = {0};
		actions_encode(res.acts, &pb, NULL, NULL);
		prog_buf_free(&pb);
	}
	arena_destroy(&a);
	free(buf);
	return 0;
}

#ifndef LFLOW_LIBFUZZER
int main(int argc, char **argv)
{
	uint32_t seed = 12345;
	unsigned runs = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		char line[8192];
		while (fgets(line, sizeof(line), f) != NULL) {
			char *sep = strstr(line, " => ");
			if (sep == NULL)
				continue;
			*sep = '\0';
			size_t n = strlen(line);
			for (int m = 0; m < 40; m++) {
				char mut[8192];
				memcpy(mut, line, n + 1);
				for (int k = 0; k < 1 + m % 4 && n > 0; k++) {
					seed = seed * 1103515245u + 12345u;
					size_t pos = (seed >> 8) % n;
					static const char pool[] =
					        "(){}[]!&|=<>-.:;,/\"$@ x0f9\\*\n";
					mut[pos] = pool[(seed >> 20) % (sizeof(pool) - 1)];
				}
				if (m % 8 == 7)
					mut[(seed >> 3) % (n + 1)] = '\0'; /* truncation */
				LLVMFuzzerTestOneInput((const uint8_t *)mut, strlen(mut));
				runs++;
			}
		}
		fclose(f);
	}
	printf("%u fuzz inputs, no crash\n", runs);
	return 0;
}
#endif
