package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What is kept of an error Flink answers with: the message a user acts on, not Flink's stack. */
class FlinkRestClientTest {

    @Test
    void aJobWhoseMainMethodFailedIsDescribedByItsOwnMessage() {
        String answer = """
                org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.
                \tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)
                Caused by: org.apache.flink.util.FlinkRuntimeException: Could not execute application.
                \t... 1 more
                Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: \
                line 5, column 3: No match found for function signature SUMM(<NUMERIC>)
                \t... 4 more
                Caused by: org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature SUMM(<NUMERIC>)
                \t... 44 more
                """;

        assertThat(FlinkRestClient.summary(answer))
                .isEqualTo("line 5, column 3: No match found for function signature SUMM(<NUMERIC>)");
    }

    @Test
    void aPlanThatFailedAnswersAsAServerErrorAndIsDescribedTheSameWay() {
        String answer = """
                Internal server error.
                <Exception on server side:
                org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: \
                line 5, column 3: No match found for function signature SUMM(<NUMERIC>)
                \tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:373)
                Caused by: io.tributary.sqlrunner.SqlScriptException: line 5, column 3: No match found
                \t... 12 more

                End of exception on server side>
                """;

        assertThat(FlinkRestClient.summary(answer))
                .isEqualTo("line 5, column 3: No match found for function signature SUMM(<NUMERIC>)");
    }

    @Test
    void theCausesAJobsMessageNamesAreKeptButNotTheListsAfterThem() {
        String answer = """
                Internal server error.
                <Exception on server side:
                org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: \
                teams/t1/team.yaml line 24, column 9: Flink could not run the job made of the INSERT statement at line 3: \
                Unable to create a sink for writing table 'default_catalog.default_database.snk'.
                Caused by: Could not find any factory for identifier 'blackhol' that implements \
                'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.

                Available factory identifiers are:

                blackhole
                datagen
                \tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:373)
                Caused by: io.tributary.sqlrunner.SqlScriptException: teams/t1/team.yaml line 24, column 9: Flink could not
                \t... 12 more

                End of exception on server side>
                """;

        assertThat(FlinkRestClient.summary(answer)).isEqualTo("teams/t1/team.yaml line 24, column 9: Flink could not run"
                + " the job made of the INSERT statement at line 3: Unable to create a sink for writing table"
                + " 'default_catalog.default_database.snk'.; caused by: Could not find any factory for identifier"
                + " 'blackhol' that implements 'org.apache.flink.table.factories.DynamicTableFactory' in the classpath.");
    }

    @Test
    void otherwiseTheFirstLineAndTheRootCause() {
        String answer = """
                Internal server error.
                <Exception on server side:
                java.util.concurrent.CompletionException: org.apache.flink.client.program.ProgramInvocationException: no Main-Class
                \tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)
                Caused by: org.apache.flink.client.program.ProgramInvocationException: no Main-Class in the jar
                \t... 50 more

                End of exception on server side>
                """;

        assertThat(FlinkRestClient.summary(answer)).isEqualTo("Internal server error.; caused by"
                + " org.apache.flink.client.program.ProgramInvocationException: no Main-Class in the jar");
    }

    @Test
    void anAnswerWithoutACauseKeepsItsFirstLinesButNotItsStack() {
        assertThat(FlinkRestClient.summary("Job could not be found.\n\tat a.b.C(C.java:1)\nIt ended.\n\tat d.e.F(F.java:2)"))
                .isEqualTo("Job could not be found.\nIt ended.");
    }
}
