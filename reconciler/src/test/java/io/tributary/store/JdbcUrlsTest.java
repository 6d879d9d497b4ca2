package io.tributary.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        jdbc:postgresql://db:5432/t                               | jdbc:postgresql://db:5432/t
        jdbc:postgresql://db:5432/t?password=s3cret&ssl=true      | jdbc:postgresql://db:5432/t?password=****&ssl=true
        jdbc:postgresql://db/t?user=svc&password=s3cret&ssl=true  | jdbc:postgresql://db/t?user=svc&password=****&ssl=true
        jdbc:postgresql://db/t?ssl=true&PASSWORD=s3cret           | jdbc:postgresql://db/t?ssl=true&PASSWORD=****
        jdbc:postgresql://me:s3cret@db:5432/t                     | jdbc:postgresql://me:****@db:5432/t
        jdbc:postgresql://db/t?user=svc                           | jdbc:postgresql://db/t?user=svc
        """)
    void aPasswordInTheUrlIsMasked(String url, String shown) {
        assertThat(JdbcUrls.masked(url)).isEqualTo(shown);
    }
}
