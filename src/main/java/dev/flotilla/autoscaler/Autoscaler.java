package dev.flotilla.autoscaler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.bus.Addresses;
import dev.flotilla.bus.CommandReply;
import dev.flotilla.bus.CommandRequest;
import dev.flotilla.bus.ServiceChanges;
import dev.flotilla.domain.Command;
import dev.flotilla.cloud.CloudDriver;
import dev.flotilla.domain.Autoscaling;
import dev.flotilla.domain.PolicyCounters;
import dev.flotilla.domain.ServiceEvent;
import dev.flotilla.domain.ServiceState;
import dev.flotilla.domain.VmStates;
import dev.flotilla.store.AutoscalerStore;
import dev.flotilla.json.Json;
import dev.flotilla.store.EventLog;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One autoscaler pass: every role with policies of a RUNNING service is evaluated (decision in
 * {@link Autoscaling}); a decision to scale goes to the engine as an ordinary scale command. Every
 * evaluation is stored with its inputs and reason; scale decisions also go to the service log.
 */
public final class Autoscaler {
    /** This node: it evaluates the services it owns. */
    private final String node;

    private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);
    private static final DeliveryOptions SCALE = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

    private final AutoscalerStore store;
    private final EventLog eventLog;
    private final CloudDriver driver;
    private final EventBus bus;
    private final Clock clock;

    public Autoscaler(AutoscalerStore store, EventLog eventLog, CloudDriver driver, EventBus bus, Clock clock,
                      String node) {
        this.node = node;
        this.store = store;
        this.eventLog = eventLog;
        this.driver = driver;
        this.bus = bus;
        this.clock = clock;
    }

    public Future<Void> pass() {
        return store.candidates(node).compose(candidates -> {
            Map<Integer, List<AutoscalerStore.Candidate>> byService = new LinkedHashMap<>();
            candidates.forEach(c -> byService.computeIfAbsent(c.serviceId(), k -> new ArrayList<>()).add(c));
            List<Future<Void>> runs = new ArrayList<>();
            byService.values().forEach(roles -> runs.add(service(roles)));
            return Future.join(runs).mapEmpty();
        });
    }

    /** Roles of one service in body order; once one scales, the others are evaluated but not sent. */
    private Future<Void> service(List<AutoscalerStore.Candidate> roles) {
        Future<Void> chain = Future.succeededFuture();
        Set<Integer> scaling = new HashSet<>();
        for (AutoscalerStore.Candidate role : roles) {
            chain = chain.compose(v -> role(role, scaling));
        }
        return chain.recover(e -> {
            LOG.warn("service={} autoscaler pass failed: {}", roles.get(0).serviceId(), e.toString());
            return Future.succeededFuture();
        });
    }

    private Future<Void> role(AutoscalerStore.Candidate c, Set<Integer> scaling) {
        Instant now = clock.instant();
        if (c.serviceState() == ServiceState.COOLDOWN.number()) {
            long left = c.deadline() == null ? 0 : Math.max(0, c.deadline().getEpochSecond() - now.getEpochSecond());
            return store.record(c.serviceId(), c.role(), now, Json.object(), c.cardinality(), List.of(
                    new Autoscaling.Evaluation("cooldown", null, null, null, c.cardinality(), "no change",
                            "no change: cooldown " + left + " s left")));
        }
        return driver.metrics(c.vmIds()).compose(metrics -> {
            List<Map<String, Double>> running = new ArrayList<>();
            ObjectNode inputs = Json.object();
            metrics.forEach((vmId, m) -> {
                if (VmStates.isRunning(m.state(), m.lcmState())) {
                    running.add(m.values());
                    inputs.set(Integer.toString(vmId), Json.MAPPER.valueToTree(m.values()));
                }
            });
            ObjectNode body = c.body();
            Autoscaling.Decision decision = Autoscaling.decide(new Autoscaling.Role(c.role(), c.cardinality(),
                    body.hasNonNull("min_vms") ? body.get("min_vms").asInt() : null,
                    body.hasNonNull("max_vms") ? body.get("max_vms").asInt() : null,
                    withCounters(c, "elasticity"), withCounters(c, "scheduled")), running, now,
                    java.time.ZoneId.systemDefault());
            Future<Void> saved = store.saveCounters(c.serviceId(), c.role(), concat(
                    counterWrites(c, "elasticity", decision.elasticityPolicies()),
                    counterWrites(c, "scheduled", decision.scheduledPolicies())))
                    // The counters are shown with the role's policies in the service's document.
                    .onSuccess(v -> ServiceChanges.announce(bus, c.serviceId()));
            if (!decision.scales(c.cardinality())) {
                return saved.compose(v -> store.record(c.serviceId(), c.role(), now, inputs, c.cardinality(),
                        decision.evaluations()));
            }
            Autoscaling.Evaluation why = decision.evaluations().get(decision.evaluations().size() - 1);
            if (!scaling.add(c.serviceId())) {
                return saved.compose(v -> store.record(c.serviceId(), c.role(), now, inputs, c.cardinality(),
                        replaceLast(decision.evaluations(), "refused", "not sent: another role of the service is "
                                + "scaling in this pass; " + why.reason())));
            }
            return saved.compose(v -> requestScale(c, decision.newCardinality()))
                    .compose(refusal -> {
                        List<Autoscaling.Evaluation> evaluations = refusal == null ? decision.evaluations()
                                : replaceLast(decision.evaluations(), "refused", "refused: " + refusal + "; "
                                + why.reason());
                        Future<Void> logged = refusal != null ? Future.succeededFuture()
                                : eventLog.appendEvents(c.serviceId(), List.of(ServiceEvent.info("autoscaler: "
                                + why.reason()))).mapEmpty();
                        return logged.compose(x -> store.record(c.serviceId(), c.role(), now, inputs,
                                c.cardinality(), evaluations));
                    });
        });
    }

    /** The same path as a manual scale; answers null when accepted, else the engine's refusal. */
    private Future<String> requestScale(AutoscalerStore.Candidate c, int cardinality) {
        // As the server (oneadmin), the way OneFlow's autoscaler acts.
        CommandRequest scale = new CommandRequest(new Command.Scale(c.serviceId(), c.role(), cardinality, false, false),
                0, "oneadmin", 0, java.util.List.of(0), null, null);
        return bus.<CommandReply>request(Addresses.ENGINE_COMMAND, scale, SCALE)
                .map(reply -> (String) null)
                .recover(e -> Future.succeededFuture(errorText(e.getMessage())));
    }

    private static String errorText(String failure) {
        try {
            return Json.parse(failure).path("error").path("message").asText(failure);
        } catch (IllegalArgumentException e) {
            return failure;
        }
    }

    private static List<Autoscaling.Evaluation> replaceLast(List<Autoscaling.Evaluation> list, String decision,
                                                            String reason) {
        List<Autoscaling.Evaluation> out = new ArrayList<>(list);
        Autoscaling.Evaluation last = out.remove(out.size() - 1);
        out.add(new Autoscaling.Evaluation(last.policy(), last.evaluated(), last.trueEvals(), last.periodNumber(),
                last.newCardinality(), decision, reason));
        return out;
    }

    /** The role's policies of one kind with the bookkeeping stored for them. */
    private static ArrayNode withCounters(AutoscalerStore.Candidate c, String kind) {
        ArrayNode policies = c.body().get(kind + "_policies") instanceof ArrayNode a ? a : null;
        return PolicyCounters.withCounters(policies, c.counters().getOrDefault(kind, Map.of()));
    }

    /** What changed in the bookkeeping, to be written over the versions it was read at. */
    private static List<AutoscalerStore.CounterWrite> counterWrites(AutoscalerStore.Candidate c, String kind,
                                                                    ArrayNode evaluated) {
        List<AutoscalerStore.CounterWrite> writes = new ArrayList<>();
        Map<Integer, PolicyCounters.Stored> stored = c.counters().getOrDefault(kind, Map.of());
        for (int i = 0; evaluated != null && i < evaluated.size(); i++) {
            ObjectNode counters = PolicyCounters.counters(evaluated.get(i));
            String fingerprint = PolicyCounters.fingerprint(evaluated.get(i));
            PolicyCounters.Stored before = stored.get(i);
            if (before == null || !before.counters().equals(counters) || !before.fingerprint().equals(fingerprint)) {
                writes.add(new AutoscalerStore.CounterWrite(kind, i, fingerprint, counters,
                        before == null ? null : before.version()));
            }
        }
        return writes;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
