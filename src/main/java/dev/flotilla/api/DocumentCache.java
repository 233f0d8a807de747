package dev.flotilla.api;

import dev.flotilla.domain.Permissions;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.json.Json;
import dev.flotilla.store.ServiceRecord;
import dev.flotilla.store.ServiceRepository;
import dev.flotilla.view.Documents;
import dev.flotilla.web.Http;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Service documents served from memory: each service's DOCUMENT as the bytes clients get, with its
 * owner and state for the access check and the list's filters. PostgreSQL stays the truth: an entry
 * is served only while no change to its service has been announced since it was read (writers
 * announce after their commit on {@code services.changed}; the API announces a command's service
 * before it answers, so a client reads its own writes), a restart starts empty, and a read costs
 * what changed since the last one, not what exists.
 *
 * <p>Shared by the API verticles. No lock is held across I/O: every announcement and every read's
 * start take a number from one counter; a read's result is kept only if nothing newer was
 * announced for that service and no newer read is kept already, so an old read finishing late
 * cannot bring back an old document.
 */
public final class DocumentCache {
    /** A service's document, or (json null) the knowledge that it no longer exists. */
    record Entry(int id, Permissions.Owned owned, ServiceState state, byte[] json, String tag, long readAt) {
        boolean exists() {
            return json != null;
        }
    }

    /**
     * What a list request gets: the documents of one page, in id order, and a tag for the whole
     * answer. It is written in chunks as the connection takes them, never copied into one buffer
     * (10,000 services are ~26 MB; a few concurrent lists must not need that much heap each).
     */
    static final class Listing {
        private static final int CHUNK = 64 * 1024;
        private final List<Entry> page;
        private final String tag;

        private Listing(List<Entry> page, String tag) {
            this.page = page;
            this.tag = tag;
        }

        String tag() {
            return tag;
        }

        void writeTo(io.vertx.core.http.HttpServerResponse response) {
            if (page.isEmpty()) {
                response.end(Buffer.buffer(EMPTY_POOL));
                return;
            }
            long length = POOL_OPEN.length + POOL_CLOSE.length + page.size() - 1L;
            for (Entry e : page) {
                length += e.json().length;
            }
            response.putHeader("Content-Length", Long.toString(length));
            writeFrom(response, 0, Buffer.buffer(CHUNK).appendBytes(POOL_OPEN));
        }

        private void writeFrom(io.vertx.core.http.HttpServerResponse response, int next, Buffer chunk) {
            for (int i = next; i < page.size(); i++) {
                if (i > 0) {
                    chunk.appendByte((byte) ',');
                }
                chunk.appendBytes(page.get(i).json());
                if (chunk.length() >= CHUNK) {
                    response.write(chunk);
                    Buffer fresh = Buffer.buffer(CHUNK);
                    if (response.writeQueueFull()) {
                        int resume = i + 1;
                        response.drainHandler(v -> writeFrom(response, resume, fresh));
                        return;
                    }
                    chunk = fresh;
                }
            }
            response.end(chunk.appendBytes(POOL_CLOSE));
        }
    }

    private static final int PAGE = 500;
    private static final int CHANGED_CHUNK = 250;
    private static final byte[] POOL_OPEN = "{\"DOCUMENT_POOL\":{\"DOCUMENT\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] POOL_CLOSE = "]}}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EMPTY_POOL = "{\"DOCUMENT_POOL\":{}}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DOCUMENT_OPEN = "{\"DOCUMENT\":".getBytes(StandardCharsets.UTF_8);

    private final Documents documents;
    private final ConcurrentSkipListMap<Integer, Entry> entries = new ConcurrentSkipListMap<>();

    // Guarded by this.
    private long counter;
    /** Services changed since their entry was read: the counter at the announcement. */
    private final Map<Integer, Long> announced = new HashMap<>();
    /** When everything was last announced changed, and when a read of everything last started (and ended). */
    private long allAnnouncedAt;
    private long allReadAt = -1;
    /** The start of each read in flight (how many): entries for deleted services may go once none is older. */
    private final TreeMap<Long, Integer> readsInFlight = new TreeMap<>();
    private final Set<Integer> deleted = new TreeSet<>();
    /** The latest read of everything in flight, if any, and when it started. */
    private Future<Map<Integer, Entry>> readingAll;
    private long readingAllStart;
    /** The counter at the last announcement (of one service or of everything). */
    private long lastAnnouncedAt;

    public DocumentCache(Documents documents) {
        this(documents, false);
    }

    /**
     * {@code readThrough}: every read goes to PostgreSQL (several nodes: another node's commit is
     * announced here a moment after its client was answered, and a client that reads through another
     * node must still see its write).
     */
    public DocumentCache(Documents documents, boolean readThrough) {
        this.documents = documents;
        this.readThrough = readThrough;
    }

    private final boolean readThrough;

    /** True when documents are not served from memory (several nodes). */
    boolean readThrough() {
        return readThrough;
    }

    /** Listens for the writers' announcements. */
    public void listen(EventBus bus) {
        bus.<JsonArray>consumer(dev.flotilla.bus.Addresses.SERVICES_CHANGED, message -> {
            List<Integer> ids = new ArrayList<>();
            message.body().forEach(id -> ids.add(((Number) id).intValue()));
            changed(ids);
        });
    }

    /** These services changed (committed): their entries are read again before they are served. */
    public synchronized void changed(Collection<Integer> ids) {
        long at = ++counter;
        lastAnnouncedAt = at;
        ids.forEach(id -> announced.put(id, at));
    }

    /** Anything may have changed (a purge of many): everything is read again. */
    public synchronized void changedAll() {
        allAnnouncedAt = ++counter;
        lastAnnouncedAt = allAnnouncedAt;
    }

    /** Whose service {@code id} is, when that is known now without asking PostgreSQL; null otherwise. */
    Permissions.Owned ownerIfKnown(int id) {
        if (readThrough) {
            return null;
        }
        Entry e = fresh(id);
        return e != null && e.exists() ? e.owned() : null;
    }

    /** Service {@code id}'s document as {@code {"DOCUMENT": ...}} bytes, or null when there is no such service. */
    Future<Entry> document(int id, ServiceRepository services) {
        Entry e = fresh(id);
        if (e != null) {
            return Future.succeededFuture(e.exists() ? e : null);
        }
        return read(List.of(id), services).map(read -> {
            Entry found = read.get(id);
            return found != null && found.exists() ? found : null;
        });
    }

    static Buffer wrapped(Entry e) {
        return Buffer.buffer(e.json().length + DOCUMENT_OPEN.length + 1).appendBytes(DOCUMENT_OPEN)
                .appendBytes(e.json()).appendByte((byte) '}');
    }

    /**
     * The services {@code caller} may USE, optionally only those in {@code state}, one page of them
     * ({@code offset}, {@code limit}), in id order, as a DOCUMENT_POOL.
     */
    Future<Listing> list(Permissions.Caller caller, ServiceState state, int limit, long offset,
                         ServiceRepository services) {
        return refresh(services).map(read -> {
            // What this request read itself wins over the kept entries: a change announced while it
            // read may have kept its result out of the cache, and it must still see what it read.
            Collection<Entry> all = entries.values();
            if (!read.isEmpty()) {
                TreeMap<Integer, Entry> merged = new TreeMap<>(entries);
                merged.putAll(read);
                all = merged.values();
            }
            List<Entry> page = new ArrayList<>();
            long skipped = 0;
            for (Entry e : all) {
                if (page.size() >= limit) {
                    break;
                }
                if (!e.exists() || (state != null && e.state() != state)
                        || !Permissions.allows(caller, e.owned(), Permissions.Right.USE)) {
                    continue;
                }
                if (skipped++ < offset) {
                    continue;
                }
                page.add(e);
            }
            return listing(page);
        });
    }

    private static Listing listing(List<Entry> page) {
        if (page.isEmpty()) {
            return new Listing(page, Http.etag(EMPTY_POOL));
        }
        StringBuilder tags = new StringBuilder(page.size() * 17);
        page.forEach(e -> tags.append(e.tag()).append(','));
        return new Listing(page, Http.etag(tags.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Makes what this call serves at least as new as the call: reads all services the first time
     * (and after a change of everything), then only those changed since; answers what it read.
     */
    private Future<Map<Integer, Entry>> refresh(ServiceRepository services) {
        boolean complete;
        List<Integer> changed;
        synchronized (this) {
            complete = allReadAt >= allAnnouncedAt && allReadAt >= 0;
            changed = new ArrayList<>(announced.keySet());
            if (!complete) {
                // Lists arriving while everything is being read wait for that one read (a cold start
                // under many pollers reads the services once, not once per request).
                // Only a read that started after the last announced change is new enough to join.
                if (readingAll == null || readingAllStart < lastAnnouncedAt) {
                    readingAllStart = startRead();
                    Future<Map<Integer, Entry>> all = readAll(services, readingAllStart);
                    readingAll = all;
                    all.onComplete(ar -> {
                        synchronized (this) {
                            if (readingAll == all) {
                                readingAll = null;
                            }
                        }
                    });
                }
                return readingAll;
            }
        }
        return changed.isEmpty() ? Future.succeededFuture(Map.of()) : read(changed, services);
    }

    /** Reads every service; {@code start} is the read's number from {@link #startRead()}. */
    private Future<Map<Integer, Entry>> readAll(ServiceRepository services, long start) {
        Map<Integer, Entry> seen = new HashMap<>();
        return readPagesAfter(0, start, seen, services).map(v -> {
            synchronized (this) {
                for (Entry e : entries.values()) {
                    if (e.exists() && !seen.containsKey(e.id()) && e.readAt() < start) {
                        keep(new Entry(e.id(), null, null, null, null, start));
                    }
                }
                allReadAt = Math.max(allReadAt, start);
            }
            return seen;
        }).onComplete(ar -> endRead(start));
    }

    private Future<Void> readPagesAfter(int after, long start, Map<Integer, Entry> seen, ServiceRepository services) {
        return services.pageAfter(after, PAGE).compose(records -> {
            keepAll(records, start, seen);
            return records.size() < PAGE ? Future.succeededFuture()
                    : readPagesAfter(records.get(records.size() - 1).meta().id(), start, seen, services);
        });
    }

    /** Reads {@code ids} now; what was read is also kept, unless something newer is known by then. */
    private Future<Map<Integer, Entry>> read(Collection<Integer> ids, ServiceRepository services) {
        long start = startRead();
        List<Integer> all = new ArrayList<>(ids);
        Map<Integer, Entry> read = new HashMap<>();
        return readChunksFrom(0, all, start, read, services).map(v -> {
            synchronized (this) {
                for (int id : all) {
                    if (!read.containsKey(id)) {
                        Entry gone = new Entry(id, null, null, null, null, start);
                        read.put(id, gone);
                        keep(gone);
                    }
                }
            }
            return read;
        }).onComplete(ar -> endRead(start));
    }

    /**
     * A few hundred services a query, one after another: a burst of changes (thousands of services
     * deploying) must not hold all their records and trees in the heap at once.
     */
    private Future<Void> readChunksFrom(int from, List<Integer> ids, long start, Map<Integer, Entry> read,
                                        ServiceRepository services) {
        if (from >= ids.size()) {
            return Future.succeededFuture();
        }
        int to = Math.min(ids.size(), from + CHANGED_CHUNK);
        return services.findMany(ids.subList(from, to)).compose(records -> {
            keepAll(records, start, read);
            return readChunksFrom(to, ids, start, read, services);
        });
    }

    private void keepAll(List<ServiceRecord> records, long start, Map<Integer, Entry> read) {
        List<Entry> rendered = new ArrayList<>(records.size());
        for (ServiceRecord r : records) {
            byte[] json = Json.write(documents.serviceDocument(r)).getBytes(StandardCharsets.UTF_8);
            rendered.add(new Entry(r.meta().id(), new Permissions.Owned(r.meta().uid(), r.meta().gid(),
                    r.meta().permissions()), r.state(), json, Http.etag(json), start));
        }
        synchronized (this) {
            rendered.forEach(e -> {
                read.put(e.id(), e);
                keep(e);
            });
        }
    }

    /** Keeps {@code e} unless a change was announced after its read started or a newer read is kept. */
    private void keep(Entry e) {
        assert Thread.holdsLock(this);
        Long changedAt = announced.get(e.id());
        if (changedAt != null && changedAt > e.readAt()) {
            return;
        }
        Entry current = entries.get(e.id());
        if (current != null && current.readAt() > e.readAt()) {
            return;
        }
        announced.remove(e.id());
        entries.put(e.id(), e);
        if (e.exists()) {
            deleted.remove(e.id());
        } else {
            deleted.add(e.id());
        }
    }

    private Entry fresh(int id) {
        synchronized (this) {
            if (announced.containsKey(id)) {
                return null;
            }
            Entry e = entries.get(id);
            if (e == null) {
                // Unknown: absent for sure only when everything has been read since anything changed.
                boolean complete = allReadAt >= allAnnouncedAt && allReadAt >= 0;
                return complete ? new Entry(id, null, null, null, null, allReadAt) : null;
            }
            return e.readAt() >= allAnnouncedAt ? e : null;
        }
    }

    private synchronized long startRead() {
        long start = ++counter;
        readsInFlight.merge(start, 1, Integer::sum);
        return start;
    }

    /**
     * Forgets deleted services once no read older than the knowledge is in flight (a late one could
     * otherwise bring the document back); so nothing here grows with services long gone.
     */
    private synchronized void endRead(long start) {
        readsInFlight.computeIfPresent(start, (k, n) -> n == 1 ? null : n - 1);
        long oldest = readsInFlight.isEmpty() ? Long.MAX_VALUE : readsInFlight.firstKey();
        for (Iterator<Integer> it = deleted.iterator(); it.hasNext(); ) {
            int id = it.next();
            Entry e = entries.get(id);
            if (e == null || e.readAt() < oldest) {
                if (e != null && !e.exists()) {
                    entries.remove(id);
                }
                it.remove();
            }
        }
    }
}
