package example;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.DiscardingSink;

/** A small stateful-enough DataStream job: a slow, endless sequence into a sink that drops it. */
public class Job {
    static final long FACTOR = 1;

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, Long.MAX_VALUE)
                .map(n -> {
                    Thread.sleep(50);
                    return n * FACTOR;
                })
                .returns(Long.class)
                .addSink(new DiscardingSink<>());
        env.execute("example");
    }
}
