"""Search terms hold single characters beside bigrams (catalog.search.grams), so that a
one-character search is served by the GIN index instead of an ILIKE over every product.

The backfill derives the characters from the stored bigrams (each is two adjacent characters
of the normalised text), plus the text of a field that is one character long, which has no
bigram; sorted by code point as catalog.search.search_terms sorts them.
"""

from django.db import migrations

FIELDS = (
    "generic_name",
    "product_name",
    "registered_name",
    "specification",
    "model",
    "company_name",
)

BACKFILL = f"""
UPDATE catalog_consumable c SET search_terms = ARRAY(
    SELECT DISTINCT term COLLATE "C" FROM (
        SELECT bigram AS term FROM unnest(c.search_terms) AS bigram
        UNION ALL SELECT substr(bigram, 1, 1) FROM unnest(c.search_terms) AS bigram
        UNION ALL SELECT substr(bigram, 2, 1) FROM unnest(c.search_terms) AS bigram
        UNION ALL SELECT lower(regexp_replace(field, '\\s', '', 'g'))
            FROM unnest(ARRAY[{", ".join(f"c.{name}" for name in FIELDS)}]) AS field
            WHERE char_length(regexp_replace(field, '\\s', '', 'g')) = 1
    ) AS terms
    ORDER BY 1
)::varchar(2)[]
"""

# Back to bigrams only: drop the single characters.
REVERSE = """
UPDATE catalog_consumable c SET search_terms = ARRAY(
    SELECT term FROM unnest(c.search_terms) AS term WHERE char_length(term) = 2
    ORDER BY term COLLATE "C"
)::varchar(2)[]
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_publicity_ends_estimated")]

    operations = [migrations.RunSQL(BACKFILL, reverse_sql=REVERSE)]
