package io.tributary.server.streampark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A savepoint path given to the StreamPark endpoints is the one Tributary recorded however it is written. */
class SavepointPathsTest {
    @Test
    void flinksFileColonSlashIsPeoplesFileColonTripleSlash() {
        assertThat(StreamParkApi.samePlace("file:/tmp/sp/savepoint-860f4c", "file:///tmp/sp/savepoint-860f4c")).isTrue();
        assertThat(StreamParkApi.samePlace("file:/tmp/sp/savepoint-860f4c", "file:///tmp/sp/savepoint-860f4c/")).isTrue();
        assertThat(StreamParkApi.samePlace("s3://bucket/sp/1", "s3://bucket/sp/1/")).isTrue();
    }

    @Test
    void anotherSavepointIsAnotherPlace() {
        assertThat(StreamParkApi.samePlace("file:/tmp/sp/savepoint-1", "file:///tmp/sp/savepoint-2")).isFalse();
        assertThat(StreamParkApi.samePlace("s3://bucket/sp/1", "s3://other/sp/1")).isFalse();
    }
}
