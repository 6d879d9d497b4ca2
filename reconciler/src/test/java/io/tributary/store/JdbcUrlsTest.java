package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db:5432/tributary | jdbc:postgresql://db:5432/tributary",
            "jdbc:postgresql://db/tributary?password=s3cret | jdbc:postgresql://db/tributary",
            "jdbc:postgresql://db/t?user=svc&password=s3cret&ssl=true | jdbc:postgresql://db/t?user=svc&ssl=true",
            "jdbc:postgresql://db/t?PASSWORD=s3cret&user=svc | jdbc:postgresql://db/t?user=svc",
            "jdbc:postgresql://db/t?user=svc | jdbc:postgresql://db/t?user=svc",
    })
    void passwordParameterIsLeftOut(String url, String shown) {
        assertThat(JdbcUrls.withoutPassword(url)).isEqualTo(shown);
    }
}
