package io.tributary.apply;

import io.tributary.build.MavenArtifacts;
import io.tributary.model.DesiredState;
import io.tributary.model.Settings;
import io.tributary.secrets.SecretResolver;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The Maven repositories and mirrors of the applied revision's Settings (Maven Central when it
 * names none), for Flink versions and job artifacts: rebuilt when a revision changes them, so a
 * new mirror takes effect without a restart.
 */
public final class MavenRepositories implements AutoCloseable {
    private final Path localRepository;
    private Settings.Maven settingsInUse;
    private MavenArtifacts artifacts;

    public MavenRepositories(Path localRepository) {
        this.localRepository = localRepository;
    }

    public synchronized MavenArtifacts of(DesiredState desired) {
        Optional<Settings> settings = desired.settings();
        Settings.Maven maven = settings.map(s -> s.spec().maven()).orElse(null);
        if (artifacts == null || !Objects.equals(maven, settingsInUse)) {
            MavenArtifacts next = MavenArtifacts.forSettings(settings, localRepository, SecretResolver.of(desired));
            if (artifacts != null) {
                artifacts.close();
            }
            artifacts = next;
            settingsInUse = maven;
        }
        return artifacts;
    }

    @Override
    public synchronized void close() {
        if (artifacts != null) {
            artifacts.close();
        }
    }
}
