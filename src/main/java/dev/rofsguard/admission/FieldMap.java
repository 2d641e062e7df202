package dev.rofsguard.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of a parsed object node, in the order they came, as names and values side by side in one array: 8 bytes a
 * field, where Jackson's LinkedHashMap takes about 46 (an entry of 40 and its table slot). Most objects of a pod have a
 * few fields, found by a scan. One with more (labels, annotations, a ConfigMap's data) also keeps its names' hashes
 * sorted beside their positions, another 8 bytes a field, for a binary search: no field is looked up in linear time
 * and no build is quadratic, whatever the number of fields. A field given twice keeps its first place and its last
 * value, as Jackson's own tree does. Changes after the build are allowed (the map behaves as a LinkedHashMap), but
 * not from two threads at once.
 */
final class FieldMap extends AbstractMap<String, JsonNode> {

    /** Up to this many fields, a scan; above, the sorted hashes. */
    static final int SCANNED = 16;
    private static final Object[] NONE = {};

    /** name, value, name, value, … for {@code size} fields; nulls beyond. */
    private Object[] kv;
    private int size;
    /** For more than {@link #SCANNED} fields: {@code hash << 32 | position}, sorted; null when it must be rebuilt. */
    private long[] byHash;

    private FieldMap(Object[] kv, int size) {
        this.kv = kv;
        this.size = size;
    }

    /**
     * The map of {@code count} fields, given as names and values side by side in {@code kv} (copied): a name given
     * twice keeps its first place and its last value.
     */
    static FieldMap of(Object[] kv, int count) {
        FieldMap m = new FieldMap(count == 0 ? NONE : Arrays.copyOf(kv, 2 * count), count);
        if (count > SCANNED) {
            m.byHash = m.index();
            m.dropRepeats();
        } else {
            for (int i = 1; i < m.size; i++) {
                for (int j = 0; j < i; j++) {
                    if (m.kv[2 * j].equals(m.kv[2 * i])) {
                        m.kv[2 * j + 1] = m.kv[2 * i + 1];
                        m.removeAt(i--);
                        break;
                    }
                }
            }
        }
        return m;
    }

    /** The heap this map takes with {@code count} fields, as {@link #of} builds it (compressed references). */
    static long heap(int count) {
        long map = 24; // header, array, size, index
        long array = count == 0 ? 0 : 16 + 8L * count;
        long index = count > SCANNED ? 16 + 8L * count : 0;
        return map + array + index;
    }

    private long[] index() {
        long[] index = new long[size];
        for (int i = 0; i < size; i++) {
            index[i] = (long) kv[2 * i].hashCode() << 32 | i;
        }
        Arrays.sort(index);
        return index;
    }

    /** Names given twice (same hash, equal): the first place keeps the last value, the others go. */
    private void dropRepeats() {
        boolean dropped = false;
        for (int a = 0; a < byHash.length; a++) {
            int first = (int) byHash[a];
            if (first < 0) {
                continue;
            }
            for (int b = a + 1; b < byHash.length && byHash[b] >>> 32 == byHash[a] >>> 32; b++) {
                int later = (int) byHash[b];
                if (later >= 0 && kv[2 * later].equals(kv[2 * first])) {
                    // Sorted by position within a hash, so "later" is later in the document: its value wins.
                    kv[2 * first + 1] = kv[2 * later + 1];
                    kv[2 * later] = null;
                    byHash[b] |= 0xFFFF_FFFFL; // position -1: gone
                    dropped = true;
                }
            }
        }
        if (dropped) {
            int to = 0;
            for (int from = 0; from < size; from++) {
                if (kv[2 * from] != null) {
                    kv[2 * to] = kv[2 * from];
                    kv[2 * to + 1] = kv[2 * from + 1];
                    to++;
                }
            }
            Arrays.fill(kv, 2 * to, 2 * size, null);
            size = to;
            kv = Arrays.copyOf(kv, 2 * size);
            byHash = size > SCANNED ? index() : null;
        }
    }

    private int positionOf(Object name) {
        if (name == null) {
            return -1;
        }
        if (size <= SCANNED) {
            for (int i = 0; i < size; i++) {
                Object k = kv[2 * i];
                if (k == name || k.equals(name)) { // Jackson interns names, so mostly the same instance
                    return i;
                }
            }
            return -1;
        }
        if (byHash == null) {
            byHash = index();
        }
        long hash = name.hashCode();
        int at = Arrays.binarySearch(byHash, hash << 32);
        for (int i = at < 0 ? -at - 1 : at; i < byHash.length && byHash[i] >> 32 == hash; i++) {
            int position = (int) byHash[i];
            if (kv[2 * position].equals(name)) {
                return position;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object name) {
        return positionOf(name) >= 0;
    }

    @Override
    public JsonNode get(Object name) {
        int i = positionOf(name);
        return i < 0 ? null : (JsonNode) kv[2 * i + 1];
    }

    @Override
    public JsonNode put(String name, JsonNode value) {
        int i = positionOf(name);
        if (i >= 0) {
            JsonNode old = (JsonNode) kv[2 * i + 1];
            kv[2 * i + 1] = value;
            return old;
        }
        if (2 * size == kv.length) {
            kv = Arrays.copyOf(kv, Math.max(8, kv.length + kv.length / 2 & ~1));
        }
        kv[2 * size] = name;
        kv[2 * size + 1] = value;
        size++;
        byHash = null;
        return null;
    }

    @Override
    public JsonNode remove(Object name) {
        int i = positionOf(name);
        if (i < 0) {
            return null;
        }
        JsonNode old = (JsonNode) kv[2 * i + 1];
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        System.arraycopy(kv, 2 * i + 2, kv, 2 * i, 2 * (size - i - 1));
        size--;
        kv[2 * size] = null;
        kv[2 * size + 1] = null;
        byHash = null;
    }

    @Override
    public void clear() {
        Arrays.fill(kv, 0, 2 * size, null);
        size = 0;
        byHash = null;
    }

    @Override
    public Set<Map.Entry<String, JsonNode>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<String, JsonNode>> iterator() {
                return new Iterator<>() {
                    private int next;
                    private int last = -1;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Map.Entry<String, JsonNode> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        last = next++;
                        return new Field(last);
                    }

                    @Override
                    public void remove() {
                        if (last < 0) {
                            throw new IllegalStateException();
                        }
                        removeAt(last);
                        next = last;
                        last = -1;
                    }
                };
            }
        };
    }

    /** A field as a map entry: reads and writes through to its place. */
    private final class Field implements Map.Entry<String, JsonNode> {
        private final String name;
        private final int position;

        Field(int position) {
            this.name = (String) kv[2 * position];
            this.position = position;
        }

        @Override
        public String getKey() {
            return name;
        }

        @Override
        public JsonNode getValue() {
            return position < size && kv[2 * position] == name ? (JsonNode) kv[2 * position + 1] : get(name);
        }

        @Override
        public JsonNode setValue(JsonNode value) {
            int i = position < size && kv[2 * position] == name ? position : positionOf(name);
            if (i < 0) {
                throw new IllegalStateException("field " + name + " was removed");
            }
            JsonNode old = (JsonNode) kv[2 * i + 1];
            kv[2 * i + 1] = value;
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && name.equals(e.getKey()) && java.util.Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return name.hashCode() ^ java.util.Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return name + "=" + getValue();
        }
    }
}
