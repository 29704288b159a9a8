#!/usr/bin/python3
"""A real Django REST Framework app serving Piriod's POST /refunds/: ask DRF itself how it answers.

A development tool for test/oracle/compare.ts; nothing in npm test runs it. Needs Debian's
python3-djangorestframework (Django 3.2, DRF 3.14) and gunicorn.

Every answer below comes from DRF itself (TokenAuthentication + IsAuthenticated, JSONParser, JSONRenderer,
ModelSerializer fields, APIView dispatch and exception handling) or from Django (APPEND_SLASH, 404/500 pages).
Only the application logic is hand-written, as it would be in the real service: the partition headers
(x-simple-workspace / x-piriod-test-mode), the partition-scoped payment queryset, the balance rule in
validate(), the refund_outcome handling in create(), and the /__admin seeding API of the emulator's contract.

Two small backports make Debian's Django 3.2 / DRF 3.14 answer like Django 5.2 / DRF 3.18: case-insensitive BooleanField strings (DRF >= 3.15) and integer lookups out of the
64-bit range matching nothing instead of crashing (Django >= 5.0, IntegerFieldOverflow).

Extension: a request carrying `X-Oracle-Dry-Run: 1` is answered normally and then rolled back, to ask
"what would DRF answer to this body, in the current state" without changing it.

Run:  PORT=8123 ORACLE_TOKENS=tok_a,tok_b /usr/bin/python3 oracle.py      (binds 127.0.0.1 only)
"""
import atexit
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from decimal import Decimal

PORT = int(os.environ.get('PORT', '8123'))
TOKENS = [t for t in os.environ.get('ORACLE_TOKENS', os.environ.get('API_TOKENS', 'tok_oracle')).split(',') if t]
MASTER_PID = os.getpid()
WORKDIR = tempfile.mkdtemp(prefix='drf-oracle-')


def _cleanup():
    if os.getpid() == MASTER_PID:  # forked workers inherit atexit handlers
        shutil.rmtree(WORKDIR, ignore_errors=True)


atexit.register(_cleanup)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    SECRET_KEY='drf-oracle-not-secret',
    ALLOWED_HOSTS=['127.0.0.1', 'localhost'],
    ROOT_URLCONF=__name__,
    USE_I18N=False,
    USE_TZ=True,
    TIME_ZONE='UTC',
    APPEND_SLASH=True,
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
    INSTALLED_APPS=[
        'django.contrib.contenttypes',
        'django.contrib.auth',
        'rest_framework',
        'rest_framework.authtoken',
    ],
    MIDDLEWARE=[
        'django.middleware.common.CommonMiddleware',  # APPEND_SLASH: POST /refunds -> 301 /refunds/
        __name__ + '.DryRunMiddleware',
    ],
    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': os.path.join(WORKDIR, 'oracle.sqlite3')}},
    REST_FRAMEWORK={
        'DEFAULT_AUTHENTICATION_CLASSES': ['rest_framework.authentication.TokenAuthentication'],
        'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated'],
        'DEFAULT_RENDERER_CLASSES': ['rest_framework.renderers.JSONRenderer'],
        'DEFAULT_PARSER_CLASSES': ['rest_framework.parsers.JSONParser'],
    },
    LOGGING={
        'version': 1,
        'disable_existing_loggers': False,
        'handlers': {'stderr': {'class': 'logging.StreamHandler'}},
        'loggers': {'django.request': {'handlers': ['stderr'], 'level': 'ERROR', 'propagate': False}},
    },
)
django.setup()

from django.core.exceptions import EmptyResultSet  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, models, transaction  # noqa: E402
from django.db.models.lookups import Exact  # noqa: E402
from django.urls import path, re_path  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402
from rest_framework.exceptions import NotFound, ValidationError  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.settings import api_settings  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

NFE = api_settings.NON_FIELD_ERRORS_KEY
REASONS = [('duplicate', 'duplicate'), ('fraudulent', 'fraudulent'), ('requested_by_customer', 'requested_by_customer')]
OUTCOMES = [('succeeded', 'succeeded'), ('failed', 'failed')]
MODE_ERR = ('x-piriod-test-mode header must be a valid boolean: one of true/false, 1/0, yes/no, on/off, t/f, y/n '
            '(case-insensitive).')


# ---------------------------------------------------------------- version backports (Django 5.x / DRF 3.15+)
class PaymentIdField(models.BigIntegerField):
    """The payments' public id. Django >= 5.0 makes an integer lookup outside the column's range match nothing
    (lookups.IntegerFieldOverflow; SQLite range = 64-bit); Django 3.2 lets sqlite3 raise OverflowError -> 500."""


@PaymentIdField.register_lookup
class OverflowSafeExact(Exact):
    lookup_name = 'exact'

    def process_rhs(self, compiler, connection):
        if isinstance(self.rhs, int) and not isinstance(self.rhs, bool) and not (-2 ** 63 <= self.rhs < 2 ** 63):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class HeaderBooleanField(serializers.BooleanField):
    """DRF >= 3.15 lower-cases string input before the TRUE/FALSE lookup; DRF 3.14 has a fixed list of cases."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.lower()
        return super().to_internal_value(data)


# ---------------------------------------------------------------- models
class Payment(models.Model):
    # `id` is the public payment id. It is unique within a (workspace, test_mode) partition only: the table is
    # created below with a hidden surrogate rowid and UNIQUE(workspace, test_mode, id), and every query goes
    # through a partition-filtered queryset, so `queryset.get(pk=...)` is DRF's own lookup path.
    id = PaymentIdField(primary_key=True)
    workspace = models.CharField(max_length=255)
    test_mode = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=15, decimal_places=2)
    refunded = models.DecimalField(max_digits=15, decimal_places=2, default=Decimal('0'))
    refund_outcome = models.CharField(max_length=16, choices=OUTCOMES, default='succeeded')
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = 'oracle'
        managed = False
        db_table = 'oracle_payment'

    @property
    def balance(self):
        return self.amount - self.refunded


_id_seq = [0]


def new_refund_id():
    _id_seq[0] = (_id_seq[0] + 1) % 4096
    return 'ref_%013x%03x%s' % (time.time_ns() // 1000000, _id_seq[0], secrets.token_hex(5))


class Refund(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=new_refund_id, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.DO_NOTHING, db_constraint=False, related_name='+')
    workspace = models.CharField(max_length=255, editable=False)
    test_mode = models.BooleanField(default=False, editable=False)
    amount = models.DecimalField(max_digits=15, decimal_places=2)
    balance = models.DecimalField(max_digits=15, decimal_places=2)
    reason = models.CharField(max_length=32, choices=REASONS)
    note = models.CharField(max_length=64, null=True, blank=True)
    receipt = models.CharField(max_length=256)
    status = models.CharField(max_length=16, choices=[('failed', 'failed'), ('succeeded', 'succeeded')],
                              default='succeeded')
    metadata = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = 'oracle'
        db_table = 'oracle_refund'


# ---------------------------------------------------------------- partition headers
class Partition:
    def __init__(self, workspace, test_mode):
        self.workspace, self.test_mode = workspace, test_mode

    def payments(self):
        return Payment.objects.filter(workspace=self.workspace, test_mode=self.test_mode)


def read_partition(request):
    ws = request.headers.get('x-simple-workspace', '')
    if not ws.strip():
        raise ValidationError({NFE: ['x-simple-workspace header is required.']})
    raw = request.headers.get('x-piriod-test-mode')
    if raw is None or raw == '':
        return Partition(ws, False)
    try:
        return Partition(ws, HeaderBooleanField().to_internal_value(raw))
    except ValidationError:
        raise ValidationError({NFE: [MODE_ERR]})


class PartitionedView(APIView):
    """Checks the partition headers after DRF's authentication/permission checks and before the method dispatch
    (so a bad header on GET is a 400, a good one a 405), as a real service doing it in initial() would."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.partition = read_partition(request)


# ---------------------------------------------------------------- serializers
class PartitionPaymentField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return self.context['partition'].payments()


class RefundSerializer(serializers.ModelSerializer):
    payment = PartitionPaymentField()
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal('0.01'),
                                      coerce_to_string=False)
    balance = serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=False, read_only=True)
    metadata = serializers.DictField(required=False)

    class Meta:
        model = Refund
        fields = ['id', 'payment', 'amount', 'balance', 'reason', 'note', 'receipt', 'status', 'metadata',
                  'created', 'updated']
        read_only_fields = ['id', 'balance', 'status', 'created', 'updated']

    def validate(self, attrs):
        remaining = attrs['payment'].balance
        if attrs['amount'] > remaining:
            raise serializers.ValidationError({'amount': [
                "Ensure this value is less than or equal to the payment's remaining refundable balance of %s."
                % remaining]})
        return attrs

    def create(self, validated_data):
        part = self.context['partition']
        with transaction.atomic():
            payment = part.payments().get(pk=validated_data['payment'].pk)
            failed = payment.refund_outcome == 'failed'
            consumed = Decimal('0') if failed else validated_data['amount']
            part.payments().filter(pk=payment.pk).update(refunded=payment.refunded + consumed)
            return Refund.objects.create(
                workspace=part.workspace, test_mode=part.test_mode, status='failed' if failed else 'succeeded',
                balance=payment.balance - consumed, **validated_data)


class PaymentCreateSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, min_value=1, max_value=2 ** 53 - 1)
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, min_value=Decimal('0.01'))
    refund_outcome = serializers.ChoiceField(choices=OUTCOMES, required=False, default='succeeded')


class PaymentSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=False)
    refunded = serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=False)
    balance = serializers.DecimalField(max_digits=15, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = Payment
        fields = ['id', 'amount', 'refunded', 'balance', 'refund_outcome', 'workspace', 'test_mode', 'created']


# ---------------------------------------------------------------- views
class RefundList(PartitionedView, generics.CreateAPIView):
    serializer_class = RefundSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), 'partition': self.partition}


class AdminView(PartitionedView):
    authentication_classes = []
    permission_classes = [AllowAny]


class AdminHealth(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({'status': 'ok'})


class AdminPayments(AdminView):
    def post(self, request):
        s = PaymentCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d, part = s.validated_data, self.partition
        with transaction.atomic():
            pid = d.get('id')
            if pid is None:  # one sequence for the whole database, as the real API's auto-increment
                pid = (Payment.objects.aggregate(m=models.Max('id'))['m'] or 0) + 1
            elif part.payments().filter(pk=pid).exists():
                return Response({'detail': 'Payment %s already exists in this workspace and mode.' % pid}, status=409)
            p = Payment(id=pid, workspace=part.workspace, test_mode=part.test_mode, amount=d['amount'],
                        refund_outcome=d['refund_outcome'])
            p.save(force_insert=True)
        return Response(PaymentSerializer(part.payments().get(pk=pid)).data, status=201)


class AdminPaymentDetail(AdminView):
    def get(self, request, pid):
        try:
            p = self.partition.payments().get(pk=int(pid))
        except (ValueError, Payment.DoesNotExist):
            raise NotFound()
        refunds = Refund.objects.filter(workspace=p.workspace, test_mode=p.test_mode, payment_id=p.pk).order_by('id')
        ctx = {'request': request, 'partition': self.partition}
        return Response({**PaymentSerializer(p).data, 'refunds': RefundSerializer(refunds, many=True, context=ctx).data})


class AdminReset(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        ws = request.headers.get('x-simple-workspace', '').strip()
        pays, refs = Payment.objects.all(), Refund.objects.all()
        if ws:
            pays, refs = pays.filter(workspace=ws), refs.filter(workspace=ws)
        with transaction.atomic():
            out = {'payments': pays.count(), 'refunds': refs.count()}
            refs.delete()
            pays._raw_delete(pays.db)  # unmanaged table with a non-unique pk: delete by filter, not by pk
        return Response(out)


class DryRunMiddleware:
    """Extension: `X-Oracle-Dry-Run: 1` answers the request, then rolls everything back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get('HTTP_X_ORACLE_DRY_RUN') != '1':
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            transaction.set_rollback(True)
        return response


urlpatterns = [
    path('refunds/', RefundList.as_view()),
    path('__admin/health', AdminHealth.as_view()),
    path('__admin/payments', AdminPayments.as_view()),
    re_path(r'^__admin/payments/(?P<pid>[^/]+)$', AdminPaymentDetail.as_view()),
    path('__admin/reset', AdminReset.as_view()),
]


# ---------------------------------------------------------------- database + tokens
def setup_database():
    call_command('migrate', verbosity=0, interactive=False, skip_checks=True)
    with connection.cursor() as c:
        c.execute('''CREATE TABLE oracle_payment (
            row_id integer NOT NULL PRIMARY KEY AUTOINCREMENT, id bigint NOT NULL, workspace varchar(255) NOT NULL,
            test_mode bool NOT NULL, amount decimal NOT NULL, refunded decimal NOT NULL,
            refund_outcome varchar(16) NOT NULL, created datetime NOT NULL, UNIQUE (workspace, test_mode, id))''')
    with connection.schema_editor() as editor:
        editor.create_model(Refund)
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token
    for i, key in enumerate(TOKENS):
        Token.objects.create(key=key, user=User.objects.create(username='oracle%d' % i))
    connections.close_all()  # the server forks its worker after this


from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def serve():
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        BaseApplication = None
    if BaseApplication is not None:  # gunicorn, as production: no default Content-Type is invented
        class OracleServer(BaseApplication):
            def load_config(self):
                for k, v in {'bind': '127.0.0.1:%d' % PORT, 'workers': 1, 'worker_class': 'sync', 'timeout': 120,
                             'graceful_timeout': 3, 'accesslog': None, 'errorlog': '-', 'loglevel': 'warning'}.items():
                    self.cfg.set(k, v)

            def load(self):
                return application

        OracleServer().run()
        return
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Handler(WSGIRequestHandler):  # wsgiref would invent 'text/plain' for a missing Content-Type
        def get_environ(self):
            env = super().get_environ()
            if self.headers.get('content-type') is None:
                env.pop('CONTENT_TYPE', None)
            return env

        def log_message(self, *args):
            pass

    print('gunicorn not found: serving with wsgiref', file=sys.stderr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exit through atexit: the temp database goes too
    make_server('127.0.0.1', PORT, application, handler_class=Handler).serve_forever()


if __name__ == '__main__':
    setup_database()
    serve()
