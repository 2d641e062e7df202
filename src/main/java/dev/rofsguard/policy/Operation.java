package dev.rofsguard.policy;

/** AdmissionRequest operations. */
public enum Operation {
    CREATE, UPDATE, DELETE, CONNECT
}
