"""Online access: accounts, identity checks, linkage keys, proxies, coded entries."""

import peewee as pw
from peewee_migrate import Migrator

def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add online access."""
    migrator.add_fields(
        'practice',

        parental_proxy_end_age=pw.IntegerField(default=16))

    @migrator.create_model
    class CodedEntry(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        patient = pw.ForeignKeyField(column_name='patient_id', field='id', model=migrator.orm['patient'], on_delete='CASCADE')
        kind = pw.CharField(max_length=20)
        snomed_code = pw.CharField(index=True, max_length=20)
        term = pw.CharField(max_length=255)
        effective_on = pw.DateField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "coded_entry"

    @migrator.create_model
    class OnlineAccount(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        patient = pw.ForeignKeyField(column_name='patient_id', field='id', model=migrator.orm['patient'], null=True, on_delete='CASCADE', unique=True)
        given_name = pw.CharField(max_length=80)
        family_name = pw.CharField(max_length=80)
        date_of_birth = pw.DateField()
        account_id = pw.CharField(max_length=20, unique=True)
        password_hash = pw.CharField(max_length=255, null=True)
        registered_at = pw.DateTimeField(null=True)
        failed_attempts = pw.IntegerField(default=0)
        locked_until = pw.DateTimeField(null=True)
        appointments = pw.BooleanField(default=False)
        prescriptions = pw.BooleanField(default=False)
        record_level = pw.CharField(default='none', max_length=20)
        services_enabled_at = pw.DateTimeField(null=True)
        services_enabled_by = pw.ForeignKeyField(column_name='services_enabled_by_id', field='id', model=migrator.orm['staff_user'], null=True, on_delete='SET NULL')
        suspended_at = pw.DateTimeField(null=True)
        suspended_reason = pw.TextField(default='')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "online_account"

    @migrator.create_model
    class IdentityCheck(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['online_account'], on_delete='CASCADE')
        method = pw.CharField(max_length=30)
        evidence = pw.TextField()
        verified_by = pw.ForeignKeyField(column_name='verified_by_id', field='id', model=migrator.orm['staff_user'], on_delete='RESTRICT')
        verified_at = pw.DateTimeField()

        class Meta:
            table_name = "identity_check"

    @migrator.create_model
    class LinkageKey(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['online_account'], on_delete='CASCADE')
        key_hash = pw.CharField(max_length=64)
        issued_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        issued_by = pw.ForeignKeyField(column_name='issued_by_id', field='id', model=migrator.orm['staff_user'], on_delete='RESTRICT')
        used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "linkage_key"

    @migrator.create_model
    class ProxyLink(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        proxy = pw.ForeignKeyField(column_name='proxy_id', field='id', model=migrator.orm['online_account'], on_delete='CASCADE')
        patient = pw.ForeignKeyField(column_name='patient_id', field='id', model=migrator.orm['patient'], on_delete='CASCADE')
        basis = pw.CharField(max_length=20)
        competence_assessment = pw.TextField(default='')
        appointments = pw.BooleanField(default=False)
        prescriptions = pw.BooleanField(default=False)
        record_level = pw.CharField(default='none', max_length=20)
        ends_on = pw.DateField(null=True)
        status = pw.CharField(default='active', max_length=20)
        reason = pw.TextField(default='')
        decided_by = pw.ForeignKeyField(column_name='decided_by_id', field='id', model=migrator.orm['staff_user'], on_delete='RESTRICT')
        decided_at = pw.DateTimeField()

        class Meta:
            table_name = "proxy_link"

    # One live registration key per account (R2): reissuing must revoke the previous key first.
    migrator.sql(
        "CREATE UNIQUE INDEX linkage_key_one_live ON linkage_key (account_id) "
        "WHERE used_at IS NULL AND revoked_at IS NULL"
    )
    # One live proxy link per proxy and patient; refused and ended links stay as history.
    migrator.sql(
        "CREATE UNIQUE INDEX proxy_link_one_active ON proxy_link (proxy_id, patient_id) WHERE status = 'active'"
    )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove online access."""

    migrator.remove_fields('practice', 'parental_proxy_end_age')

    migrator.remove_model('proxy_link')

    migrator.remove_model('linkage_key')

    migrator.remove_model('identity_check')

    migrator.remove_model('online_account')

    migrator.remove_model('coded_entry')
