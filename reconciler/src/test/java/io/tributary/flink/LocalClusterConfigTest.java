package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalClusterConfigTest {
    private static final Path DIR = Path.of("/data/clusters/local");
    private static final LocalClusterConfig.Ports PORTS = new LocalClusterConfig.Ports(40001, 40002, 40003);

    @Test
    void managedSettingsGoOverTheHomesAndEverythingListensOnLoopback() {
        Map<String, Object> home = new LinkedHashMap<>(FlinkDistributions.defaultConfiguration());
        home.put("rest.bind-port", "8081-8090");
        home.put("taskmanager.data.port", "6121");

        Map<String, Object> config = LocalClusterConfig.build(home, PORTS, 2, DIR, Map.of());

        assertThat(config)
                .containsEntry("rest.port", "40001")
                .containsEntry("jobmanager.rpc.port", "40002")
                .containsEntry("blob.server.port", "40003")
                .containsEntry("taskmanager.rpc.port", "0")
                .containsEntry("taskmanager.data.port", "0")
                .containsEntry("rest.address", "127.0.0.1")
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("jobmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.host", "127.0.0.1")
                .containsEntry("taskmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("io.tmp.dirs", "/data/clusters/local/tmp")
                .containsEntry("execution.checkpointing.dir", "file:///data/clusters/local/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", "file:///data/clusters/local/savepoints")
                .containsEntry("env.java.opts.all", FlinkDistributions.JAVA17_OPTIONS)
                .containsEntry("taskmanager.memory.process.size", "1728m")
                .containsEntry("web.refresh-interval", "200")
                .doesNotContainKey("rest.bind-port");
    }

    @Test
    void theUsersConfigurationWinsAndReplacesEveryNameOfAnOption() {
        Map<String, Object> config = LocalClusterConfig.build(FlinkDistributions.defaultConfiguration(), PORTS, 2, DIR,
                Map.of("state.checkpoints.dir", "s3://bucket/cp", "taskmanager.numberOfTaskSlots", "8",
                        "web.refresh-interval", "1000", "rest.port", "8081"));

        assertThat(config)
                .containsEntry("state.checkpoints.dir", "s3://bucket/cp")
                .doesNotContainKey("execution.checkpointing.dir")
                .containsEntry("execution.checkpointing.savepoint-dir", "file:///data/clusters/local/savepoints")
                .containsEntry("taskmanager.numberOfTaskSlots", "8")
                .containsEntry("web.refresh-interval", "1000")
                .containsEntry("rest.port", "8081");
    }

    @Test
    void aDirectoryTheHomeConfiguresUnderAnyNameIsKept() {
        Map<String, Object> home = new LinkedHashMap<>();
        home.put("state.savepoints.dir", "hdfs:///savepoints");
        home.put("web.refresh-interval", "3000");

        Map<String, Object> config = LocalClusterConfig.build(home, PORTS, 1, DIR, Map.of());

        assertThat(config)
                .containsEntry("state.savepoints.dir", "hdfs:///savepoints")
                .doesNotContainKey("execution.checkpointing.savepoint-dir")
                .containsEntry("execution.checkpointing.dir", "file:///data/clusters/local/checkpoints")
                .containsEntry("web.refresh-interval", "3000");
    }

    @Test
    void overviewIsReadFromTheRestAnswer() {
        LocalCluster.Overview overview = LocalCluster.parseOverview("""
                {"taskmanagers":1,"slots-total":2,"slots-available":2,"jobs-running":0,"jobs-finished":0,
                 "jobs-cancelled":0,"jobs-failed":0,"flink-version":"1.20.1","flink-commit":"abc"}""");

        assertThat(overview).isEqualTo(new LocalCluster.Overview(1, 2, 2, "1.20.1"));
    }
}
