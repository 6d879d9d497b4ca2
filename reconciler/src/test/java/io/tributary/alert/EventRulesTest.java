package io.tributary.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.model.AlertPolicy.Event;
import io.tributary.store.AppEvent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which app events fire an alert, and which clear one. */
class EventRulesTest {

    @ParameterizedTest(name = "{0} ({1}) -> {2} {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            job-failed                   | error   | fire  | job-failed
            job-lost                     | error   | fire  | job-lost
            upgrade-failed               | error   | fire  | upgrade-failed
            restarts-exceeded            | error   | fire  | restarts-exceeded
            checkpoint-failures          | warning | fire  | checkpoint-failures
            build-failed                 | error   | fire  | build-failed
            invalid-revision             | error   | fire  | invalid-revision
            cluster-down                 | error   | fire  | cluster-down
            cluster-down-resolved        | info    | clear | cluster-down
            checkpoint-failures-resolved | info    | clear | checkpoint-failures
            invalid-revision-resolved    | info    | clear | invalid-revision
            job-running                  | info    | clear | job-failed job-lost restarts-exceeded
            upgrade                      | info    | clear | upgrade-failed
            build                        | info    | clear | build-failed
            deleted                      | info    | clear | job-failed job-lost restarts-exceeded upgrade-failed checkpoint-failures
            deploy-failed                | error   | -     | -
            health                       | warning | -     | -
            savepoint                    | info    | -     | -
            nothing-resolved             | info    | -     | -
            """)
    void eventsFireAndClear(String type, String severity, String what, String events) {
        Optional<Signal> signal = EventRules.of(new AppEvent(1, null, "payments/orders", type, severity, "m", null));
        if (what == null) {
            assertThat(signal).isEmpty();
            return;
        }
        assertThat(signal).isPresent();
        assertThat(signal.get().firing()).isEqualTo(what.equals("fire"));
        assertThat(signal.get().events()).extracting(Event::yamlName).isEqualTo(List.of(events.split(" ")));
    }

    @ParameterizedTest
    @CsvSource({"info,warning", "warning,warning", "error,error"})
    void anAlertIsAtLeastAWarning(String eventSeverity, String alertSeverity) {
        assertThat(EventRules.of(new AppEvent(1, null, "a/b", "job-lost", eventSeverity, "m", null)).orElseThrow()
                .severity()).isEqualTo(alertSeverity);
    }
}
