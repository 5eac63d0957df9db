from django.db import migrations

# DRF's DateTimeField output, in SQL: ISO 8601 in the given time zone, microseconds only when
# non-zero (as datetime.isoformat does), "Z" for UTC. Used by JSON documents built in SQL
# (core.json_sql), so that they say exactly what the serializers say. One SELECT without FROM,
# so that PostgreSQL inlines it: a page of orders calls it hundreds of times. NULL in, NULL out
# (to_char of NULL is NULL, and so is anything concatenated with it).
CREATE = r"""
CREATE OR REPLACE FUNCTION yg_isoformat(ts timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN extract(microseconds FROM ts)::bigint % 1000000 = 0 THEN ''
            ELSE to_char(ts AT TIME ZONE tz, '.US') END
    || CASE WHEN (ts AT TIME ZONE tz) = (ts AT TIME ZONE 'UTC') THEN 'Z'
            WHEN (ts AT TIME ZONE tz) < (ts AT TIME ZONE 'UTC')
              THEN '-' || to_char((ts AT TIME ZONE 'UTC') - (ts AT TIME ZONE tz), 'HH24:MI')
            ELSE '+' || to_char((ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC'), 'HH24:MI') END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunSQL(
            CREATE, reverse_sql="DROP FUNCTION IF EXISTS yg_isoformat(timestamptz, text);"
        )
    ]
