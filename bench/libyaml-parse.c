/*
 * The floor for helm-lint's speed: read each file and pull every libyaml event, nothing
 * else. bench/lint.sh compiles this and times it over the same files as stagegate lint.
 */
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

static int parse(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long len;
	yaml_parser_t p;
	yaml_event_t ev;
	int done = 0, ok = 1;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	data = malloc((size_t)len + 1);
	if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, data, (size_t)len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			ok = 0;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(data);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		bad |= parse(argv[i]) != 0;
	return bad;
}
