package io.tributary.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MemorySizesTest {
    @ParameterizedTest
    @CsvSource({"1728m,true", "2g,true", "512 mb,true", "1024,true", "4 gibibytes,true", "1.5g,false", "17x28m,false",
            "m,false", "'',false"})
    void parsesFlinksMemorySizeSyntax(String text, boolean valid) {
        assertThat(MemorySizes.parses(text)).isEqualTo(valid);
    }

    @ParameterizedTest
    @CsvSource({"taskmanager.memory.process.size,true", "jobmanager.memory.heap.size,true",
            "taskmanager.memory.network.min,true", "taskmanager.memory.network.fraction,false", "parallelism.default,false"})
    void knowsWhichOptionsAreMemorySizes(String key, boolean memory) {
        assertThat(MemorySizes.isMemoryOption(key)).isEqualTo(memory);
    }
}
