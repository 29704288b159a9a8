#!/usr/bin/python3
"""DRF's body parsing, asked directly: Django's charset handling and DRF's JSONParser, as a real DRF app runs
them. Reads JSON lines {"body": base64, "content_type": str} and writes one JSON line each:
{"value": json.dumps(data, ensure_ascii=True)} or {"detail": "JSON parse error - ..."} or {"crash": "TypeName"}.
A development tool for test/oracle/json-diff.ts and test/oracle/make-json-fixtures.ts; needs Debian's
python3-djangorestframework.
"""
import base64
import io
import json
import sys

import django
from django.conf import settings

settings.configure(DEFAULT_CHARSET='utf-8', USE_I18N=False)
django.setup()

from django.http import HttpRequest  # noqa: E402
from rest_framework.exceptions import ParseError  # noqa: E402
from rest_framework.parsers import JSONParser  # noqa: E402

sys.setrecursionlimit(1200)


def parse(body, content_type):
    request = HttpRequest()
    request._set_content_type_params({'CONTENT_TYPE': content_type})
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        data = JSONParser().parse(io.BytesIO(body), 'application/json', {'encoding': encoding})
    except ParseError as exc:
        return {'detail': str(exc.detail)}
    except Exception as exc:  # what DRF would answer with a 500
        return {'crash': type(exc).__name__}
    try:
        return {'value': json.dumps(data, ensure_ascii=True, separators=(',', ':'))}
    except Exception as exc:
        return {'crash': 'dumps ' + type(exc).__name__}


for line in sys.stdin:
    case = json.loads(line)
    out = parse(base64.b64decode(case['body']), case['content_type'])
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()
