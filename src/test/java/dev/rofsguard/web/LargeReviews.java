package dev.rofsguard.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rofsguard.admission.AdmissionReviews;

/**
 * Reviews as large as the API server lets through: a Pod whose container carries a long env list (many small JSON
 * nodes: the costliest shape to hold as a tree, byte for byte) and an UPDATE whose object and oldObject are both such
 * pods (the reason for the 7 MiB body limit).
 */
public final class LargeReviews {

    private LargeReviews() {
    }

    /** A Pod CREATE review of about {@code bytes} bytes. */
    public static byte[] podCreate(int bytes) {
        ObjectNode review = envelope("CREATE");
        ((ObjectNode) review.get("request")).set("object", pod(bytes, "a"));
        return AdmissionReviews.toBytes(review);
    }

    /** A Pod UPDATE review of about {@code bytes} bytes: object and oldObject half each, a label changed. */
    public static byte[] podUpdate(int bytes) {
        ObjectNode review = envelope("UPDATE");
        ObjectNode request = (ObjectNode) review.get("request");
        request.set("object", pod(bytes / 2, "new"));
        request.set("oldObject", pod(bytes / 2, "old"));
        return AdmissionReviews.toBytes(review);
    }

    /**
     * A Pod CREATE review of about {@code bytes} bytes whose one container's env list repeats {@code entry} (any
     * JSON): the shapes that take the most tree per body byte, e.g. {@code {}}.
     */
    public static byte[] podWithEnv(String entry, int bytes) {
        StringBuilder sb = new StringBuilder("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
                + "{\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\","
                + "\"namespace\":\"shop\",\"name\":\"big\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
                + "{\"name\":\"big\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\",\"env\":[");
        for (int i = 0; sb.length() < bytes; i++) {
            sb.append(i == 0 ? "" : ",").append(entry);
        }
        return sb.append("]}]}}}}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static ObjectNode envelope(String operation) {
        ObjectNode review = AdmissionReviews.mapper().createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", "7f0e4c1d-large-review-" + operation.toLowerCase());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", "shop").put("name", "big").put("operation", operation);
        return review;
    }

    private static ObjectNode pod(int bytes, String label) {
        ObjectNode pod = AdmissionReviews.mapper().createObjectNode();
        pod.put("apiVersion", "v1").put("kind", "Pod");
        pod.putObject("metadata").put("name", "big").put("namespace", "shop").putObject("labels").put("rev", label);
        ObjectNode container = pod.putObject("spec").putArray("containers").addObject();
        container.put("name", "app").put("image", "nginx:1.27");
        container.putObject("securityContext").put("readOnlyRootFilesystem", true);
        ArrayNode env = container.putArray("env");
        // {"name":"VAR_000001","value":"value-000001-xxxxxxxxxx"}, = 56 bytes
        int entries = Math.max(1, (bytes - 400) / 56);
        for (int i = 0; i < entries; i++) {
            String n = String.format("%06d", i);
            env.addObject().put("name", "VAR_" + n).put("value", "value-" + n + "-xxxxxxxxxx");
        }
        return pod;
    }
}
