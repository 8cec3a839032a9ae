package dev.mailer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The :name parser: what is a parameter, and what only looks like one. */
class NamedSqlTest {

    @Test
    void namesBecomeBindParametersInOrderOnePerOccurrence() {
        NamedSql sql = NamedSql.parse("select * from t where a = :a and b = :b_2 or a = :a");

        assertThat(sql.jdbcSql()).isEqualTo("select * from t where a = ? and b = ? or a = ?");
        assertThat(sql.parameterNames()).containsExactly("a", "b_2", "a");
    }

    @Test
    void castsAreNotParameters() {
        NamedSql sql = NamedSql.parse("select :ids::text[]::bigint[], x::int, :max_age::interval");

        assertThat(sql.jdbcSql()).isEqualTo("select ?::text[]::bigint[], x::int, ?::interval");
        assertThat(sql.parameterNames()).containsExactly("ids", "max_age");
    }

    @Test
    void namesEndAtTheFirstCharacterThatCannotBeInOne() {
        NamedSql sql = NamedSql.parse("values (:a,:b), (:c)");

        assertThat(sql.jdbcSql()).isEqualTo("values (?,?), (?)");
        assertThat(sql.parameterNames()).containsExactly("a", "b", "c");
    }

    @Test
    void aColonBeforeSomethingThatCannotStartANameStaysAsItIs() {
        NamedSql sql = NamedSql.parse("select a[1:2], '[][(),:;<>]' ~ x, :x");

        assertThat(sql.jdbcSql()).isEqualTo("select a[1:2], '[][(),:;<>]' ~ x, ?");
        assertThat(sql.parameterNames()).containsExactly("x");
    }

    @Test
    void stringLiteralsWithDoubledQuotes() {
        NamedSql sql = NamedSql.parse("select 'it''s :not', ':no''', '''', :yes");

        assertThat(sql.jdbcSql()).isEqualTo("select 'it''s :not', ':no''', '''', ?");
        assertThat(sql.parameterNames()).containsExactly("yes");
    }

    @Test
    void escapeStringsWithBackslashQuotes() {
        NamedSql sql = NamedSql.parse("select E'it\\'s :x', e'\\\\', :y, E'a''b :z'");

        assertThat(sql.jdbcSql()).isEqualTo("select E'it\\'s :x', e'\\\\', ?, E'a''b :z'");
        assertThat(sql.parameterNames()).containsExactly("y");
    }

    @Test
    void aBackslashInAnOrdinaryStringEscapesNothing() {
        // standard_conforming_strings (on since PostgreSQL 9.1): 'a\' is a complete literal
        NamedSql sql = NamedSql.parse("select 'a\\', :x, name'b\\' from t");

        assertThat(sql.jdbcSql()).isEqualTo("select 'a\\', ?, name'b\\' from t");
        assertThat(sql.parameterNames()).containsExactly("x");
    }

    @Test
    void quotedIdentifiers() {
        NamedSql sql = NamedSql.parse("select \"a:b\", \"say \"\"hi\"\" :c\" from \"t:x\" where d = :d");

        assertThat(sql.jdbcSql()).isEqualTo("select \"a:b\", \"say \"\"hi\"\" :c\" from \"t:x\" where d = ?");
        assertThat(sql.parameterNames()).containsExactly("d");
    }

    @Test
    void dollarQuotedBodies() {
        String body = "create function f() returns int language sql as $$ select :no, 'x' $$";
        NamedSql sql = NamedSql.parse(body + "; select :yes");

        assertThat(sql.jdbcSql()).isEqualTo(body + "; select ?");
        assertThat(sql.parameterNames()).containsExactly("yes");
    }

    @Test
    void taggedDollarQuotesEndOnlyAtTheirOwnTag() {
        String text = "select $fn$ a $$ :inner $$ 'b :c $fn$, $q$it's :x$q$, :y";
        NamedSql sql = NamedSql.parse(text);

        assertThat(sql.jdbcSql()).isEqualTo("select $fn$ a $$ :inner $$ 'b :c $fn$, $q$it's :x$q$, ?");
        assertThat(sql.parameterNames()).containsExactly("y");
    }

    @Test
    void positionalParametersAndDollarsInIdentifiersAreNotDollarQuotes() {
        NamedSql sql = NamedSql.parse("select $1, a$b$ , :x, price$ from t$1 where y = :y");

        assertThat(sql.jdbcSql()).isEqualTo("select $1, a$b$ , ?, price$ from t$1 where y = ?");
        assertThat(sql.parameterNames()).containsExactly("x", "y");
    }

    @Test
    void lineComments() {
        NamedSql sql = NamedSql.parse("select 1 -- not :this, nor 'this\n, :that -- :nor\n");

        assertThat(sql.jdbcSql()).isEqualTo("select 1 -- not :this, nor 'this\n, ? -- :nor\n");
        assertThat(sql.parameterNames()).containsExactly("that");
    }

    @Test
    void blockCommentsAlsoNestedAndOverSeveralLines() {
        NamedSql sql = NamedSql.parse("select /* :a\n 'open */ :b, /* outer /* :inner */ still :c */ :d");

        assertThat(sql.jdbcSql()).isEqualTo("select /* :a\n 'open */ ?, /* outer /* :inner */ still :c */ ?");
        assertThat(sql.parameterNames()).containsExactly("b", "d");
    }

    @Test
    void commentMarkersInsideLiteralsAreText() {
        NamedSql sql = NamedSql.parse("select '--', '/*', \"--x\", :p, $$ -- $$, :q");

        assertThat(sql.jdbcSql()).isEqualTo("select '--', '/*', \"--x\", ?, $$ -- $$, ?");
        assertThat(sql.parameterNames()).containsExactly("p", "q");
    }

    @Test
    void somethingLeftOpenIsRefused() {
        assertThatThrownBy(() -> NamedSql.parse("select 'open, :x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("string literal");
        assertThatThrownBy(() -> NamedSql.parse("select E'it\\', :x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("string literal");
        assertThatThrownBy(() -> NamedSql.parse("select \"open"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quoted identifier");
        assertThatThrownBy(() -> NamedSql.parse("select $$ open"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dollar-quoted");
        assertThatThrownBy(() -> NamedSql.parse("select /* a /* b */ :x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block comment");
    }

    @Test
    void theGateRegexWithItsSpecialsIsLeftAlone() {
        String text = "where e ~ '[][(),:;<>\\\\\"]' and e !~ '^[^@[:space:][:cntrl:]]+@' and x = :x";
        NamedSql sql = NamedSql.parse(text);

        assertThat(sql.jdbcSql()).isEqualTo(text.replace(":x", "?"));
        assertThat(sql.parameterNames()).containsExactly("x");
    }
}
