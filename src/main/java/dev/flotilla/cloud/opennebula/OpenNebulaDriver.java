package dev.flotilla.cloud.opennebula;

import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.cloud.CloudIdentity;
import dev.flotilla.cloud.CloudRefusedException;
import dev.flotilla.cloud.NetworkRequest;
import dev.flotilla.cloud.VmRequest;
import dev.flotilla.domain.NetworkSource;
import dev.flotilla.domain.NetworkStates;
import dev.flotilla.domain.VmObservation;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cloud is a real OpenNebula front-end, over oned's XML-RPC API (opennebula-integration.md §3).
 * Every VM carries {@code SERVICE_ID}, {@code ROLE_NAME} and {@value #REQUEST_KEY} in its user
 * template: after a crash, a VM that was created but not recorded is found by its key (one pool
 * read) and never created twice. VMs are created as their service's owner within the service's
 * group; everything else is done as the server (serveradmin). Role actions are direct
 * {@code one.vm.action} calls: Flotilla already persists and times the batches, so oned's
 * scheduled actions would be a second schedule to keep in step.
 */
public final class OpenNebulaDriver implements CloudDriver {
    static final String REQUEST_KEY = "FLOTILLA_REQUEST_KEY";
    /** oned's {@code one.vm.recover} operation that removes a VM whatever its state. */
    private static final int RECOVER_DELETE = 3;

    private final OneClient one;
    private final CoreSessions sessions;
    private final String subscriberEndpoint;
    private OneEvents events;
    /** The VMs of the last poll (by id), to tell what changed and what vanished. */
    private Map<Integer, OneXml.Vm> seen;

    OpenNebulaDriver(OneClient one, CoreSessions sessions, String subscriberEndpoint) {
        this.one = one;
        this.sessions = sessions;
        this.subscriberEndpoint = subscriberEndpoint;
    }

    /** The driver for the settings, each verticle its own (its own connections). */
    public static OpenNebulaDriver create(io.vertx.core.Vertx vertx,
                                          dev.flotilla.config.FlotillaConfig.OpenNebulaSettings settings,
                                          java.time.Clock clock) {
        return new OpenNebulaDriver(new OneClient(vertx, settings.xmlrpc()),
                new CoreSessions(settings.serverUser(), settings.serverPassword(), clock), settings.subscriberEndpoint());
    }

    @Override
    public void onChanges(java.util.function.Consumer<List<VmObservation>> listener) {
        if (!subscriberEndpoint.isEmpty()) {
            events().onVms(listener);
        }
    }

    @Override
    public void onNetworkChanges(java.util.function.Consumer<List<Integer>> listener) {
        if (!subscriberEndpoint.isEmpty()) {
            events().onNetworks(listener);
        }
    }

    /** One subscription per driver serves its VM and network listeners, made by whichever comes first. */
    private synchronized OneEvents events() {
        if (events == null) {
            events = new OneEvents(subscriberEndpoint);
        }
        return events;
    }

    @Override
    public boolean pushesChanges() {
        return !subscriberEndpoint.isEmpty();
    }

    /** Said when oned answers but refuses the server identity (a wrong ONE_CIPHER_AUTH file). */
    public static final String IDENTITY_REFUSED = "oned refused the server identity: ";

    /** Null when oned answers the server identity, else why not (oned's words, or the connection's). */
    @Override
    public Future<String> health() {
        return one.call("one.user.info", sessions.server(), -1).map(x -> (String) null)
                .recover(e -> {
                    OneError error = OneClient.oneError(e);
                    String why = e.getMessage() == null ? e.toString() : e.getMessage();
                    return Future.succeededFuture(error != null && error.code() == OneError.AUTHENTICATION
                            ? IDENTITY_REFUSED + why : "oned does not answer: " + why);
                });
    }

    @Override
    public void close() {
        synchronized (this) {
            if (events != null) {
                events.close();
            }
        }
        one.close();
    }

    // ---- creating and removing VMs --------------------------------------------------------------

    @Override
    public Future<List<Instantiated>> instantiate(List<VmRequest> requests) {
        // Only a create made again (after a crash) may already exist: look for those, in one read.
        Future<Map<String, Integer>> existing = requests.stream().anyMatch(VmRequest::again)
                ? vmsByKey() : Future.succeededFuture(Map.of());
        return existing.compose(found -> {
            List<Future<Instantiated>> each = new ArrayList<>();
            for (VmRequest request : requests) {
                Integer made = found.get(request.requestKey());
                each.add(made != null ? Future.succeededFuture(new Instantiated(request.requestKey(), made, null))
                        : create(request));
            }
            return Future.join(each).transform(ar -> {
                // A create oned could not be asked about stays unconfirmed: no id, no error.
                List<Instantiated> out = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    Future<Instantiated> f = each.get(i);
                    out.add(f.succeeded() ? f.result() : new Instantiated(requests.get(i).requestKey(), null, null));
                }
                return Future.succeededFuture(out);
            });
        });
    }

    private Future<Instantiated> create(VmRequest request) {
        String extra = TemplateText.render(request.templateContents(), Map.of("SERVICE_ID",
                Integer.toString(request.serviceId()), "ROLE_NAME", request.roleName(), REQUEST_KEY, request.requestKey()));
        return one.call("one.template.instantiate", sessions.as(request.ownerName(), request.ownerGid()),
                        request.templateId(), request.name(), request.hold(), extra, false)
                .map(id -> new Instantiated(request.requestKey(), ((Long) id).intValue(), null))
                .recover(e -> e instanceof CloudRefusedException ? Future.succeededFuture(
                        new Instantiated(request.requestKey(), null, e.getMessage())) : Future.failedFuture(e));
    }

    @Override
    public Future<TerminateOutcome> terminate(String requestKey, Integer vmId, boolean hard) {
        Future<Integer> id = vmId != null ? Future.succeededFuture(vmId)
                : vmsByKey().map(found -> found.get(requestKey));
        return id.compose(found -> {
            if (found == null) {
                return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
            }
            return action(hard ? "terminate-hard" : "terminate", found).map(TerminateOutcome.TERMINATING)
                    .recover(e -> {
                        OneError error = OneClient.oneError(e);
                        if (error != null && error.isNoSuchObject()) {
                            return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
                        }
                        // A VM oned will not terminate from its state is removed as the last resort (recover --delete).
                        if (error != null && hard) {
                            return one.call("one.vm.recover", sessions.server(), found, RECOVER_DELETE)
                                    .map(TerminateOutcome.TERMINATING);
                        }
                        return Future.failedFuture(e);
                    });
        });
    }

    @Override
    public Future<Void> release(String requestKey, Integer vmId) {
        return action("release", vmId);
    }

    @Override
    public Future<Void> resume(String requestKey, Integer vmId) {
        return action("resume", vmId);
    }

    @Override
    public Future<Void> chown(List<Integer> vmIds, int uid, int gid) {
        return Future.join(vmIds.stream().map(id -> one.call("one.vm.chown", sessions.server(), id, uid, gid))
                .toList()).mapEmpty();
    }

    private Future<Void> action(String action, Integer vmId) {
        if (vmId == null) {
            return Future.failedFuture(new CloudRefusedException("no VM id yet for " + action));
        }
        return one.call("one.vm.action", sessions.server(), action, vmId).mapEmpty();
    }

    /**
     * The 19 role actions (role-actions.md §1): VM actions by name, snapshots with their name or
     * id, disk snapshots with the disk id first (arguments comma-separated, as the CLI gives them).
     */
    @Override
    public Future<Void> vmAction(int vmId, String action, String args) {
        String[] a = args == null || args.isBlank() ? new String[0] : args.split(",");
        String session = sessions.server();
        try {
            return switch (action) {
                case "snapshot-create" -> one.call("one.vm.snapshotcreate", session, vmId,
                        a.length > 0 ? a[0].trim() : "").mapEmpty();
                case "snapshot-revert" -> one.call("one.vm.snapshotrevert", session, vmId, arg(a, 0)).mapEmpty();
                case "snapshot-delete" -> one.call("one.vm.snapshotdelete", session, vmId, arg(a, 0)).mapEmpty();
                case "disk-snapshot-create" -> one.call("one.vm.disksnapshotcreate", session, vmId, arg(a, 0),
                        a.length > 1 ? a[1].trim() : "").mapEmpty();
                case "disk-snapshot-revert" -> one.call("one.vm.disksnapshotrevert", session, vmId, arg(a, 0),
                        arg(a, 1)).mapEmpty();
                case "disk-snapshot-delete" -> one.call("one.vm.disksnapshotdelete", session, vmId, arg(a, 0),
                        arg(a, 1)).mapEmpty();
                default -> one.call("one.vm.action", session, action, vmId).mapEmpty();
            };
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(new CloudRefusedException(action + ": " + e.getMessage()));
        }
    }

    private static int arg(String[] args, int position) {
        if (args.length <= position) {
            throw new IllegalArgumentException("argument " + (position + 1) + " (an id) is missing");
        }
        try {
            return Integer.parseInt(args[position].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + (position + 1) + " must be an id: '"
                    + args[position].trim() + "'");
        }
    }

    // ---- watching VMs -----------------------------------------------------------------------------

    /**
     * One pool read per cycle: the live VMs (all of them the first time, DONE included, so that a VM
     * that ended while Flotilla was down is seen ending). A VM that has left the live pool since the
     * last read is asked for once more by id, to learn how it ended.
     */
    @Override
    public Future<VmChanges> changesSince(long cursor, int limit) {
        boolean first = seen == null;
        return one.call("one.vmpool.infoextended", sessions.server(), -2, -1, -1, first ? -2 : -1)
                .compose(xml -> {
                    Map<Integer, OneXml.Vm> live = new LinkedHashMap<>();
                    OneXml.vms((String) xml).stream().filter(vm -> vm.requestKey() != null)
                            .forEach(vm -> live.put(vm.id(), vm));
                    Set<Integer> vanished = first ? Set.of() : seen.keySet().stream()
                            .filter(id -> !live.containsKey(id)).collect(Collectors.toSet());
                    Future<List<OneXml.Vm>> ended = vanished.isEmpty() ? Future.succeededFuture(List.of())
                            : one.call("one.vmpool.infoset", sessions.server(), vanished.stream().map(String::valueOf)
                            .collect(Collectors.joining(",")), false).map(x -> OneXml.vms((String) x));
                    return ended.map(gone -> {
                        List<VmObservation> changed = new ArrayList<>();
                        Map<Integer, OneXml.Vm> before = first ? Map.of() : seen;
                        for (OneXml.Vm vm : live.values()) {
                            if (differs(before.get(vm.id()), vm)) {
                                changed.add(observation(vm));
                            }
                        }
                        gone.forEach(vm -> changed.add(observation(vm)));
                        seen = live;
                        return new VmChanges(changed, cursor + 1);
                    });
                });
    }

    private static boolean differs(OneXml.Vm before, OneXml.Vm now) {
        return before == null || before.state() != now.state() || before.lcmState() != now.lcmState()
                || before.ready() != now.ready();
    }

    static VmObservation observation(OneXml.Vm vm) {
        return new VmObservation(vm.id(), vm.requestKey(), vm.state(), vm.lcmState(), vm.ready());
    }

    @Override
    public Future<List<dev.flotilla.domain.Drift.CloudVm>> serviceVms() {
        return one.call("one.vmpool.infoextended", sessions.server(), -2, -1, -1, -1).map(xml -> OneXml
                .vms((String) xml).stream().filter(vm -> vm.userTemplate().containsKey("SERVICE_ID"))
                .flatMap(vm -> {
                    try {
                        return java.util.stream.Stream.of(new dev.flotilla.domain.Drift.CloudVm(vm.id(),
                                Integer.parseInt(vm.userTemplate().get("SERVICE_ID").trim()),
                                vm.userTemplate().get("ROLE_NAME"), vm.state(), vm.lcmState()));
                    } catch (NumberFormatException e) {
                        return java.util.stream.Stream.empty(); // someone else's SERVICE_ID
                    }
                }).toList());
    }

    /** Every VM Flotilla made that oned still holds (not DONE), by request key. */
    private Future<Map<String, Integer>> vmsByKey() {
        return one.call("one.vmpool.infoextended", sessions.server(), -2, -1, -1, -1).map(xml -> {
            Map<String, Integer> byKey = new HashMap<>();
            OneXml.vms((String) xml).stream().filter(vm -> vm.requestKey() != null)
                    .forEach(vm -> byKey.put(vm.requestKey(), vm.id()));
            return byKey;
        });
    }

    /**
     * The autoscaler's view of each VM: its state, and its attributes as numbers, the first of
     * USER_TEMPLATE, MONITORING (the latest record) and TEMPLATE for each name (elasticity.md §4).
     */
    @Override
    public Future<Map<Integer, VmMetrics>> metrics(List<Integer> vmIds) {
        if (vmIds.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        Future<Object> vms = one.call("one.vmpool.infoset", sessions.server(),
                vmIds.stream().map(String::valueOf).collect(Collectors.joining(",")), false);
        Future<Object> monitoring = one.call("one.vmpool.monitoring", sessions.server(), -2, 0);
        return Future.all(vms, monitoring).map(all -> {
            Map<Integer, Map<String, String>> records = OneXml.monitoring((String) monitoring.result());
            Map<Integer, VmMetrics> out = new HashMap<>();
            for (OneXml.Vm vm : OneXml.vms((String) vms.result())) {
                Map<String, Double> values = new HashMap<>();
                numbers(vm.template(), values);
                numbers(records.getOrDefault(vm.id(), vm.monitoring()), values);
                numbers(vm.userTemplate(), values);
                out.put(vm.id(), new VmMetrics(vm.state(), vm.lcmState(), values));
            }
            return out;
        });
    }

    /** Numbers by their leading digits ("12.5" → 12.5); later sources win, so call in reverse precedence. */
    private static void numbers(Map<String, String> attributes, Map<String, Double> into) {
        attributes.forEach((name, text) -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*-?[0-9]+(\\.[0-9]+)?").matcher(text);
            if (m.find()) {
                into.put(name.toUpperCase(java.util.Locale.ROOT), Double.parseDouble(m.group().trim()));
            }
        });
    }

    @Override
    public boolean authenticates() {
        return true;
    }

    /** The identity oned gives to {@code user:password}, or empty when oned refuses it. */
    @Override
    public Future<java.util.Optional<CloudIdentity>> authenticate(String user, String password) {
        return one.call("one.user.info", user + ":" + password, -1)
                .map(xml -> {
                    OneXml.User u = OneXml.user((String) xml);
                    return java.util.Optional.of(new CloudIdentity(u.id(), u.name(), u.gid(), u.gname(), u.groups()));
                })
                .recover(e -> {
                    OneError error = OneClient.oneError(e);
                    return error != null && (error.code() == OneError.AUTHENTICATION
                            || error.code() == OneError.AUTHORIZATION)
                            ? Future.succeededFuture(java.util.Optional.empty()) : Future.failedFuture(e);
                });
    }

    // ---- service networks (opennebula-integration.md §4, templates.md §6.1) -------------------------

    /**
     * A network from a network template ({@code one.vntemplate.instantiate}) or a reservation from a
     * parent network ({@code one.vn.reserve}, named by a {@code NAME} in its text), made as the
     * service's owner so that it is theirs. Its request key goes into its template; made again after
     * a crash, the network already made under that key is returned instead. oned may drop the extra
     * attributes of a reservation, so a live reservation of the same name from the same parent counts
     * as made too (the name holds the service id).
     */
    @Override
    public Future<Instantiated> createNetwork(NetworkRequest request) {
        Future<OneXml.Vnet> existing = request.again() ? networks().map(all -> madeBefore(all, request))
                : Future.succeededFuture(null);
        return existing.compose(found -> {
            if (found != null) {
                return Future.succeededFuture(new Instantiated(request.requestKey(), found.id(), null));
            }
            String session = sessions.as(request.ownerName(), request.ownerGid());
            String extra = request.extra() == null || request.extra().isBlank() ? "" : request.extra().strip() + "\n";
            Future<Object> made = request.source() == NetworkSource.RESERVE
                    ? one.call("one.vn.reserve", session, request.sourceId(), extra + TemplateText.render(null,
                            orderedMap("NAME", request.name(), REQUEST_KEY, request.requestKey())))
                    : one.call("one.vntemplate.instantiate", session, request.sourceId(), request.name(),
                            extra + TemplateText.render(null, Map.of(REQUEST_KEY, request.requestKey())));
            return made.map(id -> new Instantiated(request.requestKey(), ((Long) id).intValue(), null))
                    .recover(e -> e instanceof CloudRefusedException ? Future.succeededFuture(
                            new Instantiated(request.requestKey(), null, e.getMessage())) : Future.failedFuture(e));
        });
    }

    private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(k1, v1);
        out.put(k2, v2);
        return out;
    }

    /** The live network made under the request's key (or, for a reservation, by its name and parent), or null. */
    private static OneXml.Vnet madeBefore(List<OneXml.Vnet> all, NetworkRequest request) {
        List<OneXml.Vnet> live = all.stream().filter(n -> n.state() != NetworkStates.DONE).toList();
        for (OneXml.Vnet n : live) {
            if (request.requestKey().equals(n.requestKey())) {
                return n;
            }
        }
        if (request.source() == NetworkSource.RESERVE) {
            for (OneXml.Vnet n : live) {
                if (request.name().equals(n.name()) && n.parentId() == request.sourceId()
                        && n.state() != NetworkStates.ERROR) {
                    return n;
                }
            }
        }
        return null;
    }

    /** Every network oned holds, as the server sees them (one pool read). */
    private Future<List<OneXml.Vnet>> networks() {
        return one.call("one.vnpool.info", sessions.server(), -2, -1, -1).map(xml -> OneXml.vnets((String) xml));
    }

    /** The id of the network made under {@code requestKey}, or null. */
    private Future<Integer> networkByKey(String requestKey) {
        return networks().map(all -> all.stream().filter(n -> requestKey.equals(n.requestKey()))
                .map(OneXml.Vnet::id).findFirst().orElse(null));
    }

    @Override
    public Future<NetworkSeen> network(String requestKey, Integer netId) {
        Future<Integer> id = netId != null ? Future.succeededFuture(netId) : networkByKey(requestKey);
        return id.compose(found -> {
            if (found == null) {
                return Future.succeededFuture(new NetworkSeen(null, NetworkStates.DONE));
            }
            return one.call("one.vn.info", sessions.server(), found, false)
                    .map(xml -> {
                        List<OneXml.Vnet> vnets = OneXml.vnets((String) xml);
                        if (vnets.isEmpty()) {
                            throw new IllegalStateException("oned's answer to one.vn.info " + found + " holds no VNET");
                        }
                        return new NetworkSeen(found, vnets.get(0).state());
                    })
                    .recover(e -> {
                        // A network oned no longer knows is gone: DONE (states.md §3.4).
                        OneError error = OneClient.oneError(e);
                        return error != null && error.isNoSuchObject()
                                ? Future.succeededFuture(new NetworkSeen(found, NetworkStates.DONE))
                                : Future.failedFuture(e);
                    });
        });
    }

    /** Deleted as the server: the service's networks are the server's to remove whoever owns them now. */
    @Override
    public Future<TerminateOutcome> deleteNetwork(String requestKey, Integer netId) {
        Future<Integer> id = netId != null ? Future.succeededFuture(netId) : networkByKey(requestKey);
        return id.compose(found -> {
            if (found == null) {
                return Future.succeededFuture(TerminateOutcome.NOT_FOUND);
            }
            return one.call("one.vn.delete", sessions.server(), found).map(TerminateOutcome.TERMINATING)
                    .recover(e -> {
                        OneError error = OneClient.oneError(e);
                        return error != null && error.isNoSuchObject()
                                ? Future.succeededFuture(TerminateOutcome.NOT_FOUND) : Future.failedFuture(e);
                    });
        });
    }

    @Override
    public Future<Void> chownNetworks(List<Integer> netIds, int uid, int gid) {
        return Future.join(netIds.stream().map(id -> one.call("one.vn.chown", sessions.server(), id, uid, gid))
                .toList()).mapEmpty();
    }
}
