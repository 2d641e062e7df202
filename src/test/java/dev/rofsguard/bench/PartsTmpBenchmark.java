package dev.rofsguard.bench;

import dev.rofsguard.admission.AdmissionRequest;
import dev.rofsguard.admission.AdmissionReviews;
import dev.rofsguard.config.PolicyLoader;
import dev.rofsguard.engine.Judge;
import dev.rofsguard.engine.Origin;
import dev.rofsguard.engine.EngineConfig;
import dev.rofsguard.mutation.PatchPlanner;
import dev.rofsguard.podspec.PodSpecView;
import dev.rofsguard.policy.Decision;
import dev.rofsguard.policy.Mode;
import dev.rofsguard.policy.Verdict;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PartsTmpBenchmark {
    @Param({"pod-create-by-replicaset.json"})
    public String fixture;
    EngineConfig config; Judge engine; AdmissionRequest parsed; PodSpecView pod; PatchPlanner planner; Verdict verdict;

    @Setup
    public void setUp() throws Exception {
        byte[] body;
        try (InputStream in = PartsTmpBenchmark.class.getResourceAsStream("/admission/" + fixture)) { body = in.readAllBytes(); }
        config = PolicyLoader.load(null, "rofs-guard");
        engine = new Judge(config);
        parsed = AdmissionReviews.parse(body);
        pod = PodSpecView.of(config.policy().workloadKinds().find(parsed.subject().group(), parsed.subject().kind()).get(), parsed.subject().object()).get();
        planner = new PatchPlanner(config.mutation(), config.catalog());
        verdict = engine.judge(parsed.subject(), Origin.admission(true)).verdict();
    }
    @Benchmark public Object plan() { return engine.mutation(parsed.subject()); }
    @Benchmark public Object mutated() { return AdmissionReviews.mutated(parsed.uid(), engine.mutation(parsed.subject())); }
    java.util.Map<String,String> links = java.util.Map.of("/var/run", "/run");
    String sa = "/var/run/secrets/kubernetes.io/serviceaccount";
    @Benchmark public Object canonical() { return dev.rofsguard.catalog.ImagePaths.canonical(new String(sa), links); }
    @Benchmark public Object newString() { return new String(sa); }
    @Benchmark public Object shape() { return pod.shapeProblem(); }
    @Benchmark public Object containers() { return pod.containers(); }
    @Benchmark public Object blocked() { return planner.blocked(pod, pod.containers()); }
    @Benchmark public Object judge() { return engine.judge(parsed.subject(), Origin.admission(true)); }
    @Benchmark public Object decide() { return Decision.decide(verdict, Mode.ENFORCE, config.policy()); }
    @Benchmark public Object write() { return AdmissionReviews.validated(parsed.uid(), Decision.decide(verdict, Mode.ENFORCE, config.policy())); }
}
