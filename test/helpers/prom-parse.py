# Parses a Prometheus text-format body (stdin) with the official Python client's parser and prints its families as JSON.
# The official parser, not ours: prom-client (the server's library) only writes the format and has no parser, and a
# parser we wrote would share our misreadings. A body it cannot parse exits non-zero with the parser's error.
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def number(v):
    return v if math.isfinite(v) else str(v)


def main():
    body = sys.stdin.read()
    families = []
    for f in text_string_to_metric_families(body):
        families.append({
            'name': f.name,
            'type': f.type,
            'help': f.documentation,
            'samples': [{'name': s.name, 'labels': s.labels, 'value': number(s.value)} for s in f.samples],
        })
    json.dump(families, sys.stdout)


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # the parser raises ValueError (and others) on a malformed body
        print(f'parse error: {type(e).__name__}: {e}', file=sys.stderr)
        sys.exit(2)
