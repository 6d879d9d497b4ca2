package io.tributary.source;

import io.tributary.build.Digests;
import io.tributary.source.SourceException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.LsRemoteCommand;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Git repository as a config source. The remote is cloned once, bare and lazily (only the refs
 * asked for), into {@code <workDir>/git/<hash of the location>/} and fetched from then on; each
 * revision handed out is exported to {@code <workDir>/revisions/<commit>/} by {@link Exports}.
 *
 * <p>A branch is followed: every {@link #fetch()} asks the remote for its tip (one ls-remote) and
 * fetches with a forced refspec when it moved, so a force-push is just another revision. A tag is
 * looked up the same way but stays where it is unless someone moves it; a commit is fetched once and
 * then needs no network.
 *
 * <p>A repository on this machine (a path, not a {@code file://} URL) is read in place for its
 * branches: its refs straight from its folder, a new tip exported from its own objects, and the
 * objects the clone lacks copied over later ({@link #settle()}), without a transport (an ls-remote
 * and a fetch cost a few hundred milliseconds each time, most of the fixed cost of a commit reaching
 * Flink). The clone keeps every object it handed out, as with a fetch, so a revision stays readable
 * if the repository is deleted.
 */
final class GitSource implements ConfigSource {
    private static final Logger LOG = LoggerFactory.getLogger(GitSource.class);
    private static final Pattern FULL_SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHORT_SHA1 = Pattern.compile("[0-9a-f]{4,39}");
    private static final int TIMEOUT_SECONDS = 60;
    private static final String HEADS = Constants.R_HEADS;
    private static final String TAGS = Constants.R_TAGS;

    private final SourceSpec spec;
    private final Location location;
    private final Clock clock;
    private final Repository repository;
    private final Exports exports;
    private final CredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final KnownHosts knownHosts;
    /** The repository itself when it is a folder on this machine, read in place; null for a remote. */
    private final Repository inPlace;
    private final String description;
    private String lastId;
    /** The branch tip last exported straight from {@link #inPlace} and not yet copied into the clone. */
    private Target uncopied;

    /** What a ref name resolved to on the remote: {@code fullName} is null for a bare commit. */
    private record Target(String shortName, String fullName, ObjectId remoteId) {}

    /** The branch a working clone had checked out when it was first read, followed since (no ref given). */
    private volatile String followedCheckout;

    private GitSource(SourceSpec spec, Location location, Clock clock, Repository repository, Exports exports,
            CredentialsProvider credentials, SshdSessionFactory ssh, KnownHosts knownHosts, Repository inPlace) {
        this.spec = spec;
        this.location = location;
        this.clock = clock;
        this.repository = repository;
        this.exports = exports;
        this.credentials = credentials;
        this.ssh = ssh;
        this.knownHosts = knownHosts;
        this.inPlace = inPlace;
        this.description = "git " + location.display()
                + " ref=" + (spec.ref() == null ? "(default branch)" : spec.ref())
                + (spec.path() == null ? "" : " path=" + spec.path())
                + " auth=" + authName(spec.credentials());
    }

    static GitSource open(SourceSpec spec, Location location, Path workDir, Clock clock) {
        Credentials given = spec.credentials();
        if (given instanceof Credentials.Token && location.protocol() != Location.Protocol.HTTP) {
            throw new SourceException(Reason.OTHER, "a token works with https URLs, not with " + location.display()
                    + "; use an https URL, or an SSH key for ssh");
        }
        if (given instanceof Credentials.SshKey && location.protocol() != Location.Protocol.SSH) {
            throw new SourceException(Reason.OTHER, "an SSH key works with ssh URLs (ssh://host/repo.git or git@host:org/repo.git), not with "
                    + location.display());
        }
        String key = Digests.sha256(location.uri()).substring(0, 16);
        Path gitDir = workDir.resolve("git").resolve(key);
        Repository repository;
        try {
            repository = bareRepository(gitDir);
        } catch (IOException e) {
            throw Exports.failure("cannot create the local clone " + gitDir, e);
        }
        Exports exports = new Exports(workDir.resolve("revisions"), clock);
        CredentialsProvider credentials = null;
        SshdSessionFactory ssh = null;
        KnownHosts knownHosts = null;
        if (given instanceof Credentials.Token) {
            credentials = new UsernamePasswordCredentialsProvider(Credentials.Token.USER_NAME, ((Credentials.Token) given).token());
            if (location.display().regionMatches(true, 0, "http://", 0, 7)) {
                LOG.warn("source sends its token over plain http, unencrypted; use https source=\"{}\"", location.display());
            }
        } else if (given instanceof Credentials.SshKey) {
            Credentials.SshKey sshKey = (Credentials.SshKey) given;
            Path sshDir = workDir.resolve("ssh").resolve(key);
            knownHosts = sshKey.knownHosts() == null
                    ? new KnownHosts(sshDir.resolve("known_hosts"), true)
                    : new KnownHosts(sshKey.knownHosts().toAbsolutePath(), false);
            ssh = SshKeys.sessionFactory(sshKey, knownHosts, sshDir);
        }
        GitSource source = new GitSource(spec, location, clock, repository, exports, credentials, ssh, knownHosts,
                openInPlace(location));
        LOG.debug("opened source source=\"{}\" clone={}", source.describe(), gitDir);
        return source;
    }

    /** The repository at a local path, opened to be read in place; null for a URL or if it cannot be opened. */
    private static Repository openInPlace(Location location) {
        if (location.protocol() != Location.Protocol.FILE || location.folder() == null) {
            return null;
        }
        try {
            FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
            Path folder = location.folder();
            if (Files.exists(folder.resolve(Constants.DOT_GIT))) {
                builder.setWorkTree(folder.toFile());
            } else {
                builder.setGitDir(folder.toFile());
            }
            return builder.setup().build();
        } catch (IOException | RuntimeException e) {
            LOG.debug("local repository not read in place, fetched instead folder={} error={}", location.folder(),
                    e.getMessage());
            return null;
        }
    }

    private static Repository bareRepository(Path gitDir) throws IOException {
        Repository repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build();
        if (!Files.exists(gitDir.resolve("objects"))) {
            Files.createDirectories(gitDir.getParent());
            try {
                repository.create(true);
            } catch (IllegalStateException e) {
                // created meanwhile by another source on the same work directory
            }
            // packs pile up with every fetch; JGit repacks when there are too many, but in the
            // fetching thread, not in a background one that could outlive close()
            StoredConfig config = repository.getConfig();
            config.setBoolean(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
            config.save();
        }
        return repository;
    }

    @Override
    public synchronized Checkout fetch() {
        Checkout checkout = find(spec.ref());
        Revision revision = checkout.revision();
        if (!revision.id().equals(lastId)) {
            LOG.info("source has a new revision source=\"{}\" revision={} previous={} message=\"{}\"", description,
                    revision.name(), lastId == null ? "none" : lastId, revision.message());
            lastId = revision.id();
        } else {
            LOG.debug("source unchanged source=\"{}\" revision={}", description, revision.shortName());
        }
        return checkout;
    }

    @Override
    public synchronized Checkout checkout(String revision) {
        if (revision == null || revision.isBlank()) {
            throw new SourceException(Reason.REF_NOT_FOUND, "no revision given; name a branch, tag, commit or revision such as main@sha1:...");
        }
        settle(); // a revision named by id is looked for in the clone
        return find(revision.strip());
    }

    /**
     * Any way of naming a revision, resolved, fetched if needed and exported: null or {@code HEAD}
     * (the default branch), {@code <ref>@sha1:<hex>}, {@code sha1:<hex>}, 40 hex digits, at least 4
     * hex digits of a commit already here, or a branch or tag name.
     */
    private Checkout find(String wanted) {
        if (wanted == null || wanted.equals(Constants.HEAD)) {
            return tip(resolve(null));
        }
        if (wanted.startsWith(Revision.DIR + "@" + Revision.SHA256)) {
            throw new SourceException(Reason.REF_NOT_FOUND, wanted + " names a plain folder's contents; "
                    + location.display() + " is a Git repository, so name a branch, tag or commit");
        }
        int at = wanted.lastIndexOf("@" + Revision.SHA1);
        if (at > 0) {
            String ref = Repository.shortenRefName(wanted.substring(0, at));
            ObjectId id = fullSha(wanted.substring(at + 1 + Revision.SHA1.length()), wanted);
            return export(ref, commit(id, ref, wanted));
        }
        if (wanted.startsWith(Revision.SHA1)) {
            ObjectId id = fullSha(wanted.substring(Revision.SHA1.length()), wanted);
            return export(null, commit(id, null, wanted));
        }
        if (FULL_SHA1.matcher(wanted).matches()) {
            return export(null, commit(ObjectId.fromString(wanted), null, wanted));
        }
        if (SHORT_SHA1.matcher(wanted).matches()) {
            ObjectId local = abbreviated(wanted);
            if (local != null) {
                return export(null, parse(local, wanted));
            }
            return shortCommitOrRef(wanted);
        }
        try {
            return tip(resolve(wanted));
        } catch (SourceException e) {
            if (e.reason() != Reason.REF_NOT_FOUND) {
                throw e;
            }
            return export(inPlace, null, gitExpression(wanted).orElseThrow(() -> e));
        }
    }

    /**
     * Git's own ways of naming a commit ({@code HEAD~1}, {@code main^}, {@code origin/main}), which a
     * repository on this machine answers: what people type for {@code plan --base} in a checkout.
     */
    private Optional<RevCommit> gitExpression(String wanted) {
        if (inPlace == null) {
            return Optional.empty();
        }
        try {
            ObjectId id = inPlace.resolve(wanted);
            return id == null ? Optional.empty() : Optional.of(parse(inPlace, id, wanted));
        } catch (RevisionSyntaxException | IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Hex digits that are not the start of a commit already here: a branch or tag spelled like hex,
     * else the start of a commit of some branch or tag, fetched (a fresh clone has none yet).
     */
    private Checkout shortCommitOrRef(String wanted) {
        try {
            return tip(resolve(wanted));
        } catch (SourceException e) {
            if (e.reason() != Reason.REF_NOT_FOUND) {
                throw e;
            }
        }
        fetchAllBranchesAndTags();
        ObjectId fetched = abbreviated(wanted);
        if (fetched == null) {
            throw new SourceException(Reason.REF_NOT_FOUND, "'" + wanted + "' is no branch or tag, nor the start of a"
                    + " commit id in any branch or tag of " + location.display() + "; check the revision");
        }
        return export(null, parse(fetched, wanted));
    }

    /**
     * The branch's or tag's commit as the remote has it now, fetched (forced) if the clone's differs.
     * A local repository's new branch tip is exported straight from its own objects, and copied into
     * the clone later, by {@link #settle()}: the copy is no part of a commit's way to Flink.
     */
    private Checkout tip(Target target) {
        Ref local = exactRef(target.fullName());
        if (local != null && target.remoteId().equals(local.getObjectId())) {
            return export(target.shortName(), parse(local.getObjectId(), target.shortName()));
        }
        if (readsInPlace(target, local)) {
            uncopied = target;
            return export(inPlace, target.shortName(), parse(inPlace, target.remoteId(), target.shortName()));
        }
        fetchForced(target);
        local = exactRef(target.fullName());
        if (local == null) {
            throw new SourceException(Reason.REF_NOT_FOUND, target.fullName() + " vanished from " + location.display()
                    + " while it was fetched; try again");
        }
        return export(target.shortName(), parse(local.getObjectId(), target.shortName()));
    }

    /**
     * Copies into the clone the branch tip last exported straight from a local repository, so the clone
     * keeps every revision handed out. A failure is logged, not thrown: the revision stays exported,
     * and only a later checkout of it by id would need the repository to still have it.
     */
    @Override
    public synchronized void settle() {
        Target target = uncopied;
        if (target == null) {
            return;
        }
        uncopied = null;
        long t0 = System.nanoTime();
        try {
            if (!copyInPlace(target, exactRef(target.fullName()))) {
                fetchForced(target);
            }
            LOG.debug("ref={} copyMs={}", target.fullName(), (System.nanoTime() - t0) / 1_000_000);
        } catch (SourceException e) {
            LOG.warn("the local clone could not take {} from {}; that revision stays exported, but a checkout of it"
                    + " by id will need the repository source=\"{}\": {}", target.remoteId().name(), location.display(),
                    description, e.getMessage());
        }
    }

    /** A branch of a repository on this machine that the clone already has: exported in place, copied after. */
    private boolean readsInPlace(Target target, Ref local) {
        return inPlace != null && local != null && target.fullName().startsWith(HEADS);
    }

    /**
     * Moves a branch of the clone to a local repository's tip, copying the objects the clone lacks
     * straight from that repository's object database: no transport, no pack. Returns false when this
     * is not the way (a remote, a tag, or a first fetch, which a pack does better), and the caller
     * fetches.
     */
    private boolean copyInPlace(Target target, Ref local) {
        if (!readsInPlace(target, local)) {
            return false;
        }
        int copied = 0;
        try (ObjectReader from = inPlace.newObjectReader();
                ObjectWalk walk = new ObjectWalk(from);
                ObjectInserter to = repository.newObjectInserter()) {
            walk.markStart(walk.parseCommit(target.remoteId()));
            for (Ref have : repository.getRefDatabase().getRefs()) {
                ObjectId id = have.getObjectId();
                if (id != null && from.has(id)) {
                    RevObject o = walk.parseAny(id);
                    if (o instanceof RevCommit) {
                        walk.markUninteresting(o);
                    }
                }
            }
            List<RevObject> missing = new ArrayList<>();
            for (RevObject o = walk.next(); o != null; o = walk.next()) {
                missing.add(o);
            }
            for (RevObject o = walk.nextObject(); o != null; o = walk.nextObject()) {
                missing.add(o);
            }
            for (RevObject o : missing) {
                if (!repository.getObjectDatabase().has(o)) {
                    ObjectLoader loader = from.open(o);
                    to.insert(loader.getType(), loader.getSize(), loader.openStream());
                    copied++;
                }
            }
            to.flush();
        } catch (IOException e) {
            LOG.debug("copy from the local repository failed, fetching instead source=\"{}\" error={}", description,
                    e.getMessage());
            return false;
        }
        RefUpdate.Result status;
        try {
            RefUpdate update = repository.updateRef(target.fullName());
            update.setNewObjectId(target.remoteId());
            update.setForceUpdate(true);
            status = update.update();
        } catch (IOException e) {
            throw Exports.failure("cannot update " + target.fullName() + " in the local clone", e);
        }
        if (status == RefUpdate.Result.LOCK_FAILURE || status == RefUpdate.Result.REJECTED
                || status == RefUpdate.Result.IO_FAILURE || status == RefUpdate.Result.REJECTED_OTHER_REASON) {
            throw new SourceException(Reason.OTHER, "could not update " + target.fullName() + " in the local clone ("
                    + status + "); another process may be fetching, try again");
        }
        LOG.debug("copied from the local repository source=\"{}\" ref={} new={} objects={} result={}", description,
                target.fullName(), target.remoteId().name(), copied, status);
        return true;
    }

    private static ObjectId fullSha(String hex, String wanted) {
        if (!FULL_SHA1.matcher(hex).matches()) {
            throw new SourceException(Reason.REF_NOT_FOUND, "'" + wanted + "' is not a revision name: sha1: takes 40 hex digits");
        }
        return ObjectId.fromString(hex);
    }

    /**
     * The commit {@code id}, from the local clone when it is there (no network), else fetched: the
     * ref it was named with, then all branches and tags, then the commit by id (which servers may
     * refuse for commits no ref reaches).
     */
    private RevCommit commit(ObjectId id, String ref, String wanted) {
        if (!has(id)) {
            if (ref != null) {
                try {
                    Target target = resolve(ref);
                    fetchForced(target);
                } catch (SourceException e) {
                    if (e.reason() != Reason.REF_NOT_FOUND) {
                        throw e;
                    }
                }
            }
            if (!has(id)) {
                fetchAllBranchesAndTags();
            }
            if (!has(id)) {
                try {
                    fetch(List.of(new RefSpec(id.name())));
                } catch (SourceException e) {
                    if (e.reason() != Reason.OTHER) {
                        throw e;
                    }
                    LOG.debug("fetching a commit by id failed source=\"{}\" commit={} error={}", description, id.name(), e.getMessage());
                }
            }
            if (!has(id)) {
                throw new SourceException(Reason.REF_NOT_FOUND, "commit " + id.name() + " (" + wanted + ") is not in "
                        + location.display() + "; it may have been force-pushed away, or the id is wrong");
            }
        }
        return parse(id, wanted);
    }

    private boolean has(ObjectId id) {
        try {
            return repository.getObjectDatabase().has(id);
        } catch (IOException e) {
            throw Exports.failure("cannot read the local clone", e);
        }
    }

    private ObjectId abbreviated(String prefix) {
        try (ObjectReader reader = repository.newObjectReader()) {
            Collection<ObjectId> matches = reader.resolve(AbbreviatedObjectId.fromString(prefix));
            if (matches.size() > 1) {
                throw new SourceException(Reason.REF_NOT_FOUND, "'" + prefix + "' is the start of " + matches.size()
                        + " objects; give more hex digits");
            }
            return matches.isEmpty() ? null : matches.iterator().next();
        } catch (IOException e) {
            throw Exports.failure("cannot read the local clone", e);
        }
    }

    private RevCommit parse(ObjectId id, String wanted) {
        return parse(repository, id, wanted);
    }

    private RevCommit parse(Repository from, ObjectId id, String wanted) {
        try (RevWalk walk = new RevWalk(from)) {
            return walk.parseCommit(id);
        } catch (IncorrectObjectTypeException e) {
            throw new SourceException(Reason.REF_NOT_FOUND, "'" + wanted + "' does not name a commit in " + location.display());
        } catch (MissingObjectException e) {
            throw new SourceException(Reason.REF_NOT_FOUND, "commit " + id.name() + " is not in " + location.display());
        } catch (IOException e) {
            throw Exports.failure("cannot read commit " + id.name() + " from "
                    + (from == repository ? "the local clone" : location.display()), e);
        }
    }

    private Ref exactRef(String name) {
        try {
            return repository.exactRef(name);
        } catch (IOException e) {
            throw Exports.failure("cannot read " + name + " from the local clone", e);
        }
    }

    /** The remote's branch or tag called {@code ref} (short or full name); null is the default branch. */
    private Target resolve(String ref) {
        Map<String, Ref> remote = lsRemote();
        if (ref == null && followedCheckout != null) {
            ref = followedCheckout;
        } else if (ref == null) {
            Target branch = defaultBranch(remote);
            if (inPlace != null && !inPlace.isBare()) {
                // a working clone's HEAD is whatever someone checked out last: a feature branch checked out to try
                // something must not become what runs, so the branch checked out now is the one followed
                followedCheckout = branch.fullName();
                LOG.info("source=\"{}\" follows branch {}, checked out there now; checking out another does not change"
                        + " it (name one with --branch)", description, branch.shortName());
            }
            return branch;
        }
        for (String candidate : ref.startsWith("refs/") ? List.of(ref) : List.of(HEADS + ref, TAGS + ref)) {
            Ref found = remote.get(candidate);
            if (found != null && found.getObjectId() != null) {
                return new Target(Repository.shortenRefName(candidate), candidate, found.getObjectId());
            }
        }
        throw new SourceException(Reason.REF_NOT_FOUND, "no branch or tag '" + ref + "' in " + location.display()
                + "; check the ref" + branchHint(remote));
    }

    private Target defaultBranch(Map<String, Ref> remote) {
        Ref head = remote.get(Constants.HEAD);
        if (head != null && head.isSymbolic()) {
            String name = head.getTarget().getName();
            Ref branch = remote.get(name);
            ObjectId id = branch != null ? branch.getObjectId() : head.getObjectId();
            if (id != null) {
                return new Target(Repository.shortenRefName(name), name, id);
            }
        }
        if (head != null && head.getObjectId() != null) {
            // HEAD without symref information: the branch at the same commit, main or master first
            List<String> same = new ArrayList<>();
            for (Ref r : remote.values()) {
                if (r.getName().startsWith(HEADS) && head.getObjectId().equals(r.getObjectId())) {
                    same.add(r.getName());
                }
            }
            same.sort((a, b) -> Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
            if (!same.isEmpty()) {
                return new Target(Repository.shortenRefName(same.get(0)), same.get(0), head.getObjectId());
            }
        }
        throw new SourceException(Reason.REF_NOT_FOUND, location.display() + " has no default branch (is it empty?); "
                + "name a branch with the ref" + branchHint(remote));
    }

    private static int rank(String ref) {
        if (ref.equals(HEADS + "main")) {
            return 0;
        }
        return ref.equals(HEADS + "master") ? 1 : 2;
    }

    private static String branchHint(Map<String, Ref> remote) {
        Set<String> branches = new TreeSet<>();
        for (String name : remote.keySet()) {
            if (name.startsWith(HEADS)) {
                branches.add(Repository.shortenRefName(name));
            }
        }
        if (branches.isEmpty()) {
            return "";
        }
        String list = branches.stream().limit(10).collect(Collectors.joining(", "));
        return " (branches: " + list + (branches.size() > 10 ? ", ..." : "") + ")";
    }

    private Map<String, Ref> lsRemote() {
        if (inPlace != null && inPlace.getDirectory().isDirectory()) {
            // a repository on this machine: its refs as its folder holds them now, no transport
            try {
                Map<String, Ref> refs = new java.util.HashMap<>();
                for (Ref ref : inPlace.getRefDatabase().getRefs()) {
                    refs.put(ref.getName(), ref);
                }
                Ref head = inPlace.exactRef(Constants.HEAD);
                if (head != null) {
                    refs.put(Constants.HEAD, head);
                }
                return refs;
            } catch (IOException e) {
                LOG.debug("cannot read the local repository's refs, listing them over the transport source=\"{}\" error={}",
                        description, e.getMessage());
            }
        }
        LsRemoteCommand command = Git.wrap(repository).lsRemote().setRemote(location.uri()).setHeads(false).setTags(false);
        try {
            return configure(command).callAsMap();
        } catch (GitAPIException | RuntimeException e) {
            throw failure(e);
        }
    }

    /** The remote's ref into the clone's ref of the same name, moved even when not a fast-forward. */
    private void fetchForced(Target target) {
        fetch(List.of(new RefSpec("+" + target.fullName() + ":" + target.fullName())));
    }

    private void fetchAllBranchesAndTags() {
        fetch(List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*")));
    }

    private void fetch(List<RefSpec> refSpecs) {
        FetchCommand command = Git.wrap(repository).fetch()
                .setRemote(location.uri())
                .setRefSpecs(refSpecs)
                .setTagOpt(TagOpt.NO_TAGS)
                .setRemoveDeletedRefs(false);
        FetchResult result;
        try {
            result = configure(command).call();
        } catch (GitAPIException | RuntimeException e) {
            throw failure(e);
        }
        for (TrackingRefUpdate update : result.getTrackingRefUpdates()) {
            RefUpdate.Result status = update.getResult();
            if (status == RefUpdate.Result.LOCK_FAILURE || status == RefUpdate.Result.REJECTED
                    || status == RefUpdate.Result.IO_FAILURE || status == RefUpdate.Result.REJECTED_OTHER_REASON) {
                throw new SourceException(Reason.OTHER, "could not update " + update.getLocalName() + " in the local clone ("
                        + status + "); another process may be fetching, try again");
            }
            LOG.debug("fetched ref source=\"{}\" ref={} old={} new={} result={}", description, update.getLocalName(),
                    update.getOldObjectId().name(), update.getNewObjectId().name(), status);
        }
    }

    private <C extends TransportCommand<C, ?>> C configure(C command) {
        if (knownHosts != null) {
            knownHosts.forgetRefusal();
        }
        command.setTimeout(TIMEOUT_SECONDS);
        if (credentials != null) {
            command.setCredentialsProvider(credentials);
        }
        if (ssh != null) {
            command.setTransportConfigCallback(transport -> {
                if (transport instanceof SshTransport) {
                    ((SshTransport) transport).setSshSessionFactory(ssh);
                }
            });
        }
        return command;
    }

    /** The export of {@code commit} with the path applied, named after how it was asked for. */
    private Checkout export(String shortRef, RevCommit commit) {
        return export(repository, shortRef, commit);
    }

    /** The commit's files, read from {@code from}: the clone, or a local repository read in place. */
    private Checkout export(Repository from, String shortRef, RevCommit commit) {
        String message = firstLine(commit.getFullMessage());
        Revision revision = shortRef == null
                ? Revision.ofCommit(commit.name(), clock.instant(), message)
                : Revision.ofRef(shortRef, commit.name(), clock.instant(), message);
        try (ObjectReader reader = from.newObjectReader()) {
            if (spec.path() != null) {
                try (TreeWalk walk = TreeWalk.forPath(reader, spec.path(), commit.getTree())) {
                    if (walk == null || !walk.getFileMode(0).equals(FileMode.TREE)) {
                        throw new SourceException(Reason.PATH_NOT_FOUND, "there is no folder '" + spec.path() + "' in "
                                + revision.shortName() + " of " + location.display()
                                + (walk == null ? "" : " (it is a file)") + "; check the path");
                    }
                }
            }
            long t0 = System.nanoTime();
            Path dir = exports.export(reader, commit);
            LOG.debug("revision={} exportMs={}", revision.shortName(), (System.nanoTime() - t0) / 1_000_000);
            return new Checkout(revision, spec.path() == null ? dir : dir.resolve(spec.path()));
        } catch (IOException e) {
            throw Exports.failure("cannot export " + revision.shortName(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return (newline < 0 ? trimmed : trimmed.substring(0, newline)).strip();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public synchronized void prune(int newest, Collection<Revision> keep) {
        Set<String> ids = keep.stream().map(Revision::id).collect(Collectors.toSet());
        try {
            exports.prune(newest, ids);
        } catch (IOException e) {
            throw Exports.failure("cannot prune old revisions", e);
        }
    }

    @Override
    public synchronized void close() {
        settle();
        if (ssh != null) {
            ssh.close();
        }
        if (inPlace != null) {
            inPlace.close();
        }
        repository.close();
    }

    @Override
    public String toString() {
        return description;
    }

    private String withoutLocation(String text) {
        String result = text;
        List<String> forms = new java.util.ArrayList<>(List.of(spec.location(), location.display(), location.uri()));
        if (location.folder() != null) {
            forms.add(location.folder().toString());
        }
        for (String form : forms) {
            if (form != null && !form.isEmpty()) {
                result = result.replace(form, "<location>");
            }
        }
        return result;
    }

    /** A JGit failure as a reason and a message people can act on, with no secret in it. */
    private SourceException failure(Exception e) {
        String where = location.display();
        String refusal = knownHosts == null ? null : knownHosts.lastRefusal();
        if (refusal != null) {
            return new SourceException(Reason.AUTHENTICATION, "cannot trust " + where + ": " + refusal, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": unknown host "
                        + scrub(t.getMessage()) + "; check the URL and network", e);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": connection refused; check the URL and network", e);
            }
            if (t instanceof SocketTimeoutException) {
                return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": timed out; check the URL and network", e);
            }
        }
        // the messages without the location in them: a path or host holding "401" or "auth" says nothing
        String text = withoutLocation(messages(e)).toLowerCase(Locale.ROOT);
        if (text.contains("connection refused")) {
            return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": connection refused; check the URL and network", e);
        }
        if (text.contains("timed out") || text.contains("timeout")) {
            return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": timed out; check the URL and network", e);
        }
        Credentials.SshKey sshKey = spec.credentials() instanceof Credentials.SshKey ? (Credentials.SshKey) spec.credentials() : null;
        if (sshKey != null && !Files.isReadable(sshKey.privateKey())) {
            return new SourceException(Reason.AUTHENTICATION, "the SSH key file " + sshKey.privateKey()
                    + " does not exist or cannot be read; check the path and the file's permissions", e);
        }
        if (sshKey != null && text.contains("key") && (text.contains("passphrase") || text.contains("decrypt")
                || text.contains("cannot read") || text.contains("cannot load") || text.contains("could not load")
                || text.contains("no keys"))) {
            return new SourceException(Reason.AUTHENTICATION, "cannot use the SSH key " + sshKey.privateKey() + " for " + where
                    + "; check the key file and its passphrase", e);
        }
        if (text.contains("not authorized") || text.contains("authentication") || text.contains("auth fail")
                || text.contains("401") || text.contains("403") || text.contains("forbidden")
                || text.contains("no more authentication methods") || text.contains("permission denied")
                || text.contains("cannot log in") || text.contains("publickey")) {
            return new SourceException(Reason.AUTHENTICATION, where + " refused the credentials; " + authHint(), e);
        }
        if (e instanceof InvalidRemoteException || e.getCause() instanceof NoRemoteRepositoryException
                || e instanceof NoRemoteRepositoryException || text.contains("not found")
                || text.contains("not a git repository") || text.contains("does not appear to be a git repository")
                || text.contains("not supported")) {
            return new SourceException(Reason.UNREACHABLE, "cannot reach " + where + ": no Git repository there; check the URL"
                    + (spec.credentials() instanceof Credentials.None && location.protocol() == Location.Protocol.HTTP
                            ? " (a private repository answers like this without a token)" : ""), e);
        }
        return new SourceException(Reason.OTHER, "fetching from " + where + " failed: " + scrub(messages(e))
                + "; see the service log for details", e);
    }

    private String authHint() {
        Credentials given = spec.credentials();
        if (given instanceof Credentials.Token) {
            return "check that the token is valid, not expired and allowed to read the repository";
        }
        if (given instanceof Credentials.SshKey) {
            return "check that the key's public half is registered with the server (a deploy key) and the passphrase";
        }
        return "the repository needs credentials: a token for https, an SSH key for ssh";
    }

    private static String messages(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 5; t = t.getCause()) {
            if (t.getMessage() != null && !parts.contains(t.getMessage())) {
                parts.add(t.getMessage());
            }
        }
        return String.join(": ", parts);
    }

    /** Removes anything secret a message from below might carry. */
    private String scrub(String text) {
        if (text == null) {
            return "";
        }
        String out = text.replace(location.uri(), location.display());
        Credentials given = spec.credentials();
        if (given instanceof Credentials.Token) {
            out = out.replace(((Credentials.Token) given).token(), "***");
        } else if (given instanceof Credentials.SshKey && ((Credentials.SshKey) given).passphrase() != null
                && !((Credentials.SshKey) given).passphrase().isEmpty()) {
            out = out.replace(((Credentials.SshKey) given).passphrase(), "***");
        }
        return out;
    }

    private static String authName(Credentials credentials) {
        if (credentials instanceof Credentials.Token) {
            return "token";
        }
        if (credentials instanceof Credentials.SshKey) {
            Credentials.SshKey key = (Credentials.SshKey) credentials;
            return "ssh-key(" + key.privateKey() + (key.knownHosts() == null ? ", known hosts: accept-new" : ", known hosts: " + key.knownHosts()) + ")";
        }
        return "none";
    }
}
