"""Seeded lab countries with one fault each, and what fl-locate should say
about them (issue 13). Used by bench/accuracy; see bench/README.md for the
shapes, the faults and the ground-truth semantics.

    import labgen
    c = labgen.generate(17)
    c.text       # fl-lab description (tests/lab/lab.h)
    c.csv        # IP->AS table, ip-location-db format
    c.args(csv)  # fl-locate arguments (prefixes, zone, parent, control, --asn-db)
    c.truth      # {"verdict", "break": [addresses], "prefixes": {cidr: verdict}, "dns"}

Everything is drawn from random.Random(seed): the same seed gives the same
country. The fault kind is KINDS[seed % len(KINDS)] so that any run of
consecutive seeds covers the kinds evenly.

The network, from the vantage point vp outwards (the "spine"):
vp - a1..aD (access ISP, AS64500) - t1..tT (one or two carriers, AS64510 and
AS64511) - b (national border, AS64520) - core levels 1..K (AS64520) whose
last level holds 1-3 leaf routers, each with a host node h<n> where its
national prefixes answer (`block`). Consecutive core levels are fully
meshed, and routes across them are multipath (ECMP). Replies toward vp go
back over the same links, except for at most one router that returns over a
bypass link two spine hops back (it then answers from the bypass address).
The parent server of test. (192.0.2.53 on node ext) and the control host
(198.51.100.99 on node ctl) hang off access or transit routers; the
nameservers of lab.test are inside the country (198.18.240.1/.2 behind a
leaf) or outside (203.0.113.1/.2 behind a spine router).
"""
import ipaddress
import random
from dataclasses import dataclass, field

ACCESS_AS, CARRIER1_AS, CARRIER2_AS, NATIONAL_AS = 64500, 64510, 64511, 64520
ORG = {
    ACCESS_AS: "Lab Access ISP",
    CARRIER1_AS: "Lab Transit",
    CARRIER2_AS: "Lab Second Carrier",
    NATIONAL_AS: "Lab National Network",
    64530: "Lab Content Network",
    64531: "Lab Control Network",
    64540: "Lab DNS Hosting",
}
NATIONAL_SPACE = "198.19.0.0/16"  # the national prefixes are carved from here
NS_INSIDE = ("198.18.240.1", "198.18.240.2")
NS_OUTSIDE = ("203.0.113.1", "203.0.113.2")
NS_INFRA = "198.18.240.0/24"  # national infrastructure: the inside nameservers
AGG = (NATIONAL_SPACE, NS_INFRA)  # what the rest of the world routes to the country
PARENT = "192.0.2.53"
CONTROL = "198.51.100.99"
ZONE = "lab.test"
VP_NET = "198.18.0.0/24"  # the link /30s, vp's 198.18.0.1 among them
MAX_SLASH24 = 24  # 3 targets per /24: at most 72 national targets
BIG_SLASH24 = 256  # generate(big=True): the whole national space as /24s, 768 targets

# Fault kinds: KINDS[seed % len(KINDS)].
KINDS = (
    "drop-access", "drop-transit", "drop-border", "drop-core",
    "unreach-access", "unreach-transit", "unreach-border", "unreach-core",
    "linkdown-access", "linkdown-transit", "linkdown-border", "linkdown-core",
    "dark-core", "border-noroute", "partial-prefix",
    "dns-down", "dns-lame", "dns-inconsistent",
    "icmp-udp-filtered", "no-time-exceeded",
    "loop-transit", "loop-border",
    "healthy-ratelimit", "local-uplink", "local-vp",
)

# ICMP behaviour per router: (name, weight).
ICMP_KINDS = (("linux", 45), ("cisco", 20), ("policer", 15), ("silent", 12), ("unlimited", 8))
# Which address a router's ICMP comes from: (name, weight). "egress": the
# interface the reply leaves by (Linux's default); "inbound": the interface
# the probe came in by (icmp_errors_use_inbound_ifaddr=1, as many vendors
# do); "loopback": a /32 of the operator's own space (many operators source
# ICMP from a loopback), which then also answers a UDP probe sent to any of
# the router's interfaces (Mercator's alias test sees one router).
REPLY_KINDS = (("egress", 55), ("inbound", 20), ("loopback", 25))
LOOPBACKS = "198.18.250.0/24"  # one /32 per loopback-sourced router, in its operator's AS


@dataclass
class Link:
    a: str
    b: str
    asn: int
    index: int

    def net(self):
        return ipaddress.ip_network("198.18.0.%d/30" % (4 * self.index))

    def addr(self, node):
        base = 4 * self.index
        return "198.18.0.%d" % (base + 1 if node == self.a else base + 2)


@dataclass
class Country:
    seed: int
    kind: str
    tags: list
    text: str
    csv: str
    prefixes: list
    truth: dict
    behaviour: dict = field(default_factory=dict)  # router -> ICMP behaviour
    addrs: dict = field(default_factory=dict)  # node -> interface addresses
    asn: dict = field(default_factory=dict)  # router -> AS of its operator
    reply: dict = field(default_factory=dict)  # router -> where its ICMP comes from (REPLY_KINDS)

    def name(self):
        """kind/tag,tag: what a failure line shows."""
        return self.kind + ("/" + ",".join(self.tags) if self.tags else "")

    def args(self, csv_path):
        a = []
        for p in self.prefixes:
            a += ["-p", p]
        return a + ["--zone", ZONE, "--parent", PARENT, "--control", CONTROL, "--asn-db", csv_path]


class Builder:
    """Nodes, links in lab.cpp's order (link i is 198.18.0.4i/30) and the
    routes, kept by (node, destination) so that a fault can rewrite them
    before the text is written."""

    def __init__(self):
        self.nodes = []  # (name, router)
        self.links = []
        self.routes = {}  # (node, dest) -> [hop...] or "unreachable"
        self.lines = []  # block, sysctl, nft, down, zones, nsd: after the routes
        self.asn = {}  # router -> AS of its operator
        self.loopback = {}  # router -> the /32 its ICMP comes from, when it has one

    def node(self, name, router=False, asn=None):
        assert 1 <= len(name) <= 8
        self.nodes.append((name, router))
        if asn is not None:
            self.asn[name] = asn

    def link(self, a, b, asn):
        assert len(self.links) < 64, "lab.cpp allows 64 links"
        self.links.append(Link(a, b, asn, len(self.links)))

    def addr(self, node, peer):
        for link in self.links:
            if {link.a, link.b} == {node, peer}:
                return link.addr(node)
        raise KeyError((node, peer))

    def addrs(self, node):
        """Every address of a node: where it may answer from."""
        own = [l.addr(node) for l in self.links if node in (l.a, l.b)]
        return own + ([self.loopback[node]] if node in self.loopback else [])

    def peers(self, node):
        return [l.b if l.a == node else l.a for l in self.links if node in (l.a, l.b)]

    def route(self, node, dest, hops):
        self.routes[(node, dest)] = hops

    def text(self):
        out = ["node %s%s" % (n, " router" if r else "") for n, r in self.nodes]
        out += ["link %s %s" % (l.a, l.b) for l in self.links]
        for (node, dest), hops in self.routes.items():
            out.append("route %s %s %s" % (node, dest, hops if isinstance(hops, str) else " ".join(hops)))
        return "\n".join(out + self.lines) + "\n"

    def csv(self, extra):
        rows = []
        for l in self.links:
            n = l.net()
            rows.append((n.network_address, n.broadcast_address, l.asn))
        for cidr, asn in extra:
            n = ipaddress.ip_network(cidr)
            rows.append((n.network_address, n.broadcast_address, asn))
        for node, a in self.loopback.items():
            rows.append((ipaddress.ip_address(a), ipaddress.ip_address(a), self.asn[node]))
        rows.sort()
        return "".join("%s,%s,%d,%s\n" % (a, b, asn, ORG[asn]) for a, b, asn in rows)


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def draw_prefixes(rng):
    """1-16 prefixes of /20 to /24 carved from 198.19.0.0/16, at most
    MAX_SLASH24 /24s in all (so that one scenario stays under ~20 s)."""
    n = weighted(rng, [(1, 10), (2, 25), (3, 20), (4, 15), (rng.randint(5, 8), 20), (rng.randint(9, 16), 10)])
    lens = [weighted(rng, [(24, 40), (23, 25), (22, 20), (21, 10), (20, 5)]) for _ in range(n)]
    while sum(2 ** (24 - x) for x in lens) > MAX_SLASH24:
        lens[lens.index(min(lens))] += 1
    lens.sort()  # largest first: each block starts aligned after the previous
    base = int(ipaddress.ip_address("198.19.0.0")) + 32 * 256 * rng.randrange(8)
    out, at = [], base
    for x in lens:
        out.append("%s/%d" % (ipaddress.ip_address(at), x))
        at += 2 ** (32 - x)
    rng.shuffle(out)
    return out


def icmp_lines(name, how, rng):
    """The description lines for a router's ICMP behaviour."""
    if how == "linux":
        return []  # the lab keeps the kernel's defaults
    if how == "cisco":  # about one error per 500 ms (IOS `ip icmp rate-limit unreachable 500`)
        return ["sysctl %s net.ipv4.icmp_ratelimit=500" % name,
                "sysctl %s net.ipv4.icmp_msgs_per_sec=2" % name,
                "sysctl %s net.ipv4.icmp_msgs_burst=2" % name]
    if how == "policer":  # a policer on all ICMP the router sends (Juniper-like)
        rate = rng.choice((2, 5, 10))
        return ["nft %s out meta l4proto icmp limit rate over %d/second burst %d packets drop" % (name, rate, rate)]
    if how == "silent":  # drops its own ICMP errors
        return ["nft %s out meta l4proto icmp drop" % name]
    return ["icmp-unlimited %s" % name]


def child_zone(key, ns, extra=""):
    return ("zone %s\n$ORIGIN lab.test.\n$TTL 300\n"
            "@ IN SOA ns1.lab.test. hostmaster.lab.test. 2026010101 3600 600 86400 300\n"
            "@ IN NS ns1.lab.test.\n@ IN NS ns2.lab.test.\n"
            "ns1 IN A %s\nns2 IN A %s\nwww IN A 198.19.0.80\n%send" % (key, ns[0], ns[1], extra))


def zones(ns):
    return [
        "zone parent\n$ORIGIN test.\n$TTL 3600\n"
        "@ IN SOA ns.test. hostmaster.test. 2026010100 3600 600 86400 300\n"
        "@ IN NS ns.test.\nns IN A %s\n"
        "lab IN NS ns1.lab.test.\nlab IN NS ns2.lab.test.\n"
        "ns1.lab IN A %s\nns2.lab IN A %s\nend" % (PARENT, ns[0], ns[1]),
        child_zone("child", ns),
        child_zone("child3", ns, "@ IN NS ns3.lab.test.\nns3 IN A 198.18.240.3\n"),
        "zone other\n$ORIGIN other.test.\n$TTL 300\n"
        "@ IN SOA ns2.other.test. hostmaster.other.test. 1 3600 600 86400 300\n"
        "@ IN NS ns2.other.test.\nns2 IN A %s\nend" % ns[1],
    ]


def generate(seed, healthy=False, big=False):
    """The country of `seed` with its fault, or (healthy=True) the same
    country, addresses, ICMP behaviour and all, without the fault: the
    network a baseline is recorded in. big=True: issue 13's 256-/24
    country, BIG_SLASH24 /24 prefixes (all of NATIONAL_SPACE) instead of
    the seed's own; the draws that depend on the prefixes (leaves, where
    the fault is) differ from the small country of the same seed."""
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]
    tags = []
    b = Builder()

    # ---- shape
    depth = rng.randint(1, 3)
    transits = rng.randint(1, 4)
    carriers = 2 if transits >= 2 and rng.random() < 0.4 else 1
    split = rng.randint(1, transits - 1) if carriers == 2 else transits
    levels = rng.randint(1, 3)
    widths = [rng.choice((1, 1, 2)) for _ in range(levels - 1)] + [rng.randint(1, 3)]
    prefixes = draw_prefixes(rng)
    if big:  # the seed's own prefixes are drawn all the same: the draws before the leaves stay
        net = ipaddress.ip_network(NATIONAL_SPACE)
        prefixes = [str(s) for s in net.subnets(new_prefix=24)][:BIG_SLASH24]
        tags.append("big")
    widths[-1] = min(widths[-1], len(prefixes))  # no leaf without a prefix
    ns_inside = rng.random() < 0.5
    border_national = rng.random() < 0.5  # the b-side /30 in national space
    tags.append("national-numbered" if border_national else "upstream-numbered")

    access = ["a%d" % i for i in range(1, depth + 1)]
    trans = ["t%d" % i for i in range(1, transits + 1)]
    spine = access + trans + ["b"]
    core = [["c%d%d" % (lv + 1, i + 1) for i in range(w)] for lv, w in enumerate(widths)]
    leaves = core[-1]
    hosts = ["h%d" % (i + 1) for i in range(len(leaves))]

    def operator(r):
        if r in access:
            return ACCESS_AS
        if r in trans:
            return CARRIER1_AS if trans.index(r) < split else CARRIER2_AS
        return NATIONAL_AS

    b.node("vp")
    for r in spine:
        b.node(r, True, operator(r))
    for lv in core:
        for r in lv:
            b.node(r, True, NATIONAL_AS)
    for h in hosts:
        b.node(h)
    b.node("ext")
    b.node("ctl")

    # ---- where each router's ICMP comes from, drawn from its own stream so
    # that every other draw of the seed stays what it was
    reply_rng = random.Random("reply-%d" % seed)
    reply = {}
    loop_net = ipaddress.ip_network(LOOPBACKS)
    for r in spine + [x for lv in core for x in lv]:
        reply[r] = weighted(reply_rng, REPLY_KINDS)
        if reply[r] == "inbound":
            b.lines.append("sysctl %s net.ipv4.icmp_errors_use_inbound_ifaddr=1" % r)
        elif reply[r] == "loopback":
            a = str(loop_net[len(b.loopback) + 1])
            b.loopback[r] = a
            # The kernel picks the interface's address; rewriting the source
            # of its errors is what a router configured to source ICMP from
            # its loopback does (ICMPv4's checksum does not cover it).
            b.lines += ["block %s %s/32" % (r, a),
                        "nft %s out icmp type { time-exceeded, destination-unreachable } ip saddr set %s" % (r, a)]
    b.node("ns1")
    b.node("ns2")

    # ---- links, in order (this order decides the addresses)
    prev = "vp"
    for r in spine:
        a_as, b_as = b.asn.get(prev, ACCESS_AS), operator(r)
        if r == "b":
            asn = NATIONAL_AS if border_national else a_as
        else:
            asn = rng.choice((a_as, b_as))
        b.link(prev, r, asn)
        prev = r
    for lv, routers in enumerate(core):
        above = ["b"] if lv == 0 else core[lv - 1]
        for r in routers:
            for u in above:
                b.link(u, r, NATIONAL_AS)
    for leaf, h in zip(leaves, hosts):
        b.link(leaf, h, NATIONAL_AS)

    # Asymmetric return: X (spine index >= 2) answers and returns via a
    # bypass to spine[s-2], from the bypass address.
    back = {spine[s]: spine[s - 1] for s in range(1, len(spine))}
    if rng.random() < 0.4 and len(spine) >= 3:
        s = rng.randrange(2, len(spine))
        x, y = spine[s], spine[s - 2]
        b.link(y, x, rng.choice((operator(x), operator(y))))
        back[x] = y
        tags.append("asym-" + x)

    # ---- the fault's constraints on where the control and the parent go
    last_out = depth + transits - 1  # spine index of the last transit router
    ctl_lo, ctl_hi = 0, last_out
    fault_router = None
    if kind in ("linkdown-access", "linkdown-transit", "local-uplink"):
        lo, hi = (0, depth - 1) if kind != "linkdown-transit" else (depth, last_out)
        cut = rng.randint(lo, hi)
        fault_router = spine[cut]
        if kind == "local-uplink":
            ctl_lo = max(cut + 1, depth)
        else:
            ctl_hi = cut
    ctl_pos = rng.randint(ctl_lo, ctl_hi)
    ext_pos = rng.randint(0, last_out)
    ns_pos = rng.randint(0, last_out)
    ns_leaf = rng.choice(leaves)
    tags.append("ctl-" + spine[ctl_pos])

    b.link(spine[ext_pos], "ext", operator(spine[ext_pos]))
    b.link(spine[ctl_pos], "ctl", operator(spine[ctl_pos]))
    ns_at = ns_leaf if ns_inside else spine[ns_pos]
    b.link(ns_at, "ns1", operator(ns_at))
    b.link(ns_at, "ns2", operator(ns_at))
    ns = NS_INSIDE if ns_inside else NS_OUTSIDE
    tags.append("ns-inside" if ns_inside else "ns-outside")

    # ---- routes
    b.route("vp", "default", ["a1"])
    for s, r in enumerate(spine[:-1]):
        for d in AGG:
            b.route(r, d, [spine[s + 1]])
    for s, r in enumerate(spine):
        if s > 0:
            b.route(r, VP_NET, [back[r]])
    outside = [("192.0.2.0/24", ext_pos, None), ("198.51.100.0/24", ctl_pos, None)]
    if not ns_inside:
        outside.append(("203.0.113.0/24", ns_pos, ns))
    for net, pos, nsaddrs in outside:
        for s, r in enumerate(spine[:-1]):
            if s < pos:
                b.route(r, net, [spine[s + 1]])
            elif s > pos:
                b.route(r, net, [back[r]])
    b.route(spine[ext_pos], "192.0.2.0/24", ["ext"])
    b.route(spine[ctl_pos], "198.51.100.0/24", ["ctl"])
    b.route("ext", "default", [spine[ext_pos]])
    b.route("ctl", "default", [spine[ctl_pos]])
    b.lines += ["block ext %s/32" % PARENT, "block ctl 198.51.100.0/24"]
    for node, a in zip(("ns1", "ns2"), ns):
        b.route(ns_at, a + "/32", [node])
        b.route(node, "default", [ns_at])
        b.lines.append("block %s %s/32" % (node, a))

    # Which leaf serves what: prefixes spread over the leaves, the inside
    # nameservers behind ns_leaf.
    serves = {leaf: [] for leaf in leaves}
    for i, p in enumerate(prefixes):
        serves[leaves[i % len(leaves)] if i < len(leaves) else rng.choice(leaves)].append(p)
    national = list(prefixes) + ([a + "/32" for a in NS_INSIDE] if ns_inside else [])
    leaf_of = {p: leaf for leaf, ps in serves.items() for p in ps}
    for a in NS_INSIDE:
        leaf_of[a + "/32"] = ns_leaf
    chain = [["b"]] + core
    for lv in range(len(chain) - 1):
        for r in chain[lv]:
            for d in national:
                nxt = [leaf_of[d]] if lv + 1 == len(chain) - 1 else chain[lv + 1]
                b.route(r, d, nxt)
    for lv in range(1, len(chain)):
        for r in chain[lv]:
            b.route(r, VP_NET, chain[lv - 1])
    for leaf, h in zip(leaves, hosts):
        for p in serves[leaf]:
            b.route(leaf, p, [h])
            b.lines.append("block %s %s" % (h, p))
        b.route(h, "default", [leaf])
    if rng.random() < 0.5:  # a backstop for the national aggregate at the border
        for d in AGG:
            b.route("b", d, "unreachable")
        tags.append("backstop")
    multipath = sorted({n for (n, _), h in b.routes.items() if isinstance(h, list) and len(h) > 1})
    policy = rng.choice((0, 1))  # 0: addresses only, 1: addresses and ports
    for r in multipath:
        b.lines.append("sysctl %s net.ipv4.fib_multipath_hash_policy=%d" % (r, policy))
    if multipath:
        tags.append("ecmp")

    if kind == "partial-prefix" and len(prefixes) < 2:  # one transit drops one of two prefixes
        extra = "198.19.%d.0/24" % (int(ipaddress.ip_network(prefixes[0]).network_address.packed[2]) ^ 128)
        prefixes.append(extra)
        serves[leaves[0]].append(extra)
        leaf_of[extra] = leaves[0]
        for lv in range(len(chain) - 1):
            for r in chain[lv]:
                b.route(r, extra, [leaves[0]] if lv + 1 == len(chain) - 1 else chain[lv + 1])
        b.route(leaves[0], extra, [hosts[0]])
        b.lines.append("block %s %s" % (hosts[0], extra))

    # ---- the fault and its truth (the healthy twin draws the same numbers
    # and then forgets what the fault changed)
    healthy_routes, healthy_lines = dict(b.routes), list(b.lines)
    truth = {"verdict": "reachable", "break": [], "prefixes": {p: "reachable" for p in prefixes}, "dns": "healthy"}
    protected = set()  # routers that must answer (never silent)
    nsd = {"ns1": "lab.test=child", "ns2": "lab.test=child"}

    def prefixes_behind(routers):
        """National prefixes whose every path crosses one of `routers`."""
        if set(routers) & set(spine):
            return list(prefixes)
        hit = set()
        for p in prefixes:
            if leaf_of[p] in routers:
                hit.add(p)
            for lv in core[:-1]:
                if set(lv) <= set(routers):
                    hit.add(p)
        return [p for p in prefixes if p in hit]

    def fail(routers, side, accepted=None):
        """The fault stops national traffic at `routers` (every address of
        them is an acceptable break.after unless `accepted` says otherwise)."""
        hit = prefixes_behind(routers)
        for p in hit:
            truth["prefixes"][p] = side
        truth["verdict"] = side if len(hit) == len(prefixes) else "partial"
        truth["break"] = sorted({a for r in (accepted or routers) for a in b.addrs(r)})
        truth["dns"] = None  # whatever the fault leaves of it: not judged
        protected.update(accepted or routers)

    def core_target():
        """A whole core level (every path crosses it) or one leaf (a part of
        the country, when there are several)."""
        if len(leaves) > 1 and rng.random() < 0.6:
            return [rng.choice(leaves)]
        return core[rng.randrange(len(core))]

    def set_unreachable(r):
        for (n, d) in list(b.routes):
            if n == r and (d in AGG or d in national or d in prefixes):
                b.routes[(n, d)] = "unreachable"

    def down_toward_nation(r):
        # r's links toward the nation; r then has no route: ICMP 3/0 from r.
        if r in spine[:-1]:
            nxt = [spine[spine.index(r) + 1]]
        elif r in leaves:
            nxt = [hosts[leaves.index(r)]]
        else:
            nxt = chain[[i for i, lv in enumerate(chain) if r in lv][0] + 1]
        for n in nxt:
            b.lines.append("down %s %s" % (r, n))

    side_of = lambda r: "upstream" if r in access or r in trans else "internal"
    if kind.startswith(("drop-", "unreach-", "linkdown-")):
        where = kind.split("-")[1]
        if fault_router:
            routers = [fault_router]
        elif where == "access":
            routers = [rng.choice(access)]
        elif where == "transit":
            routers = [rng.choice(trans)]
        elif where == "border":
            routers = ["b"]
        else:
            routers = core_target()
        tags.insert(0, "at-" + "+".join(routers))
        for r in routers:
            if kind.startswith("drop-"):
                b.lines.append("nft %s fwd ip daddr { %s } drop" % (r, ", ".join(AGG)))
            elif kind.startswith("unreach-"):
                set_unreachable(r)
            else:
                down_toward_nation(r)
        fail(routers, side_of(routers[0]))
    elif kind == "dark-core":
        # The first core level is off the air: it forwards nothing and
        # answers nothing. Packets are last seen at the border.
        for r in core[0]:
            b.lines += ["nft %s in drop" % r, "nft %s fwd drop" % r, "nft %s out drop" % r]
        fail(core[0], "internal", accepted=["b"])
    elif kind == "border-noroute":
        # The border lost every internal route: the backstop, if any, or no
        # route at all answers (3/1 or 3/0).
        for d in national:
            b.routes.pop(("b", d), None)
        fail(["b"], "internal")
    elif kind == "partial-prefix":
        small = max(prefixes, key=lambda p: ipaddress.ip_network(p).prefixlen)
        r = rng.choice(trans)
        tags.insert(0, "at-" + r)
        b.lines.append("nft %s fwd ip daddr %s drop" % (r, small))
        truth["verdict"] = "partial"
        truth["prefixes"][small] = "upstream"
        truth["break"] = sorted(b.addrs(r))
        protected.add(r)
    elif kind == "dns-down":
        nsd = {}
        truth.update(verdict="dns", dns="unreachable")
    elif kind == "dns-lame":
        nsd = {"ns1": "other.test=other", "ns2": "other.test=other"}
        truth.update(verdict="dns", dns="lame")
    elif kind == "dns-inconsistent":
        if rng.random() < 0.5:
            nsd["ns2"] = "lab.test=child3"
            truth["dns"] = "inconsistent"
            tags.insert(0, "ns-differs")
        else:
            nsd["ns2"] = "other.test=other"
            truth["dns"] = "partially-lame"
            tags.insert(0, "one-lame")
    elif kind == "icmp-udp-filtered":
        r = rng.choice(["b"] + trans + core[0])
        tags.insert(0, "at-" + r)
        b.lines += ["nft %s fwd ip daddr { %s } meta l4proto icmp drop" % (r, ", ".join(AGG)),
                    "nft %s fwd ip daddr { %s } udp dport != 53 drop" % (r, ", ".join(AGG))]
    elif kind == "no-time-exceeded":
        routers = [r for r in spine + [x for lv in core for x in lv]]
        for r in rng.sample(routers, min(len(routers), rng.randint(1, 3))):
            b.lines.append("nft %s out icmp type time-exceeded drop" % r)
            tags.insert(0, "no-te-" + r)
    elif kind == "loop-transit":
        r = rng.choice(trans)
        p = spine[spine.index(r) - 1]
        for d in AGG:
            b.route(r, d, [p])
        tags.insert(0, "at-" + r)
        fail([r], "upstream")
    elif kind == "loop-border":
        for d in national:
            b.routes.pop(("b", d), None)
        for d in AGG:
            b.route("b", d, [spine[-2]])
        fail(["b"], "internal")
    elif kind == "local-uplink":
        b.lines.append("down %s %s" % (fault_router, spine[spine.index(fault_router) + 1]))
        tags.insert(0, "at-" + fault_router)
        truth.update(verdict="local", dns=None)
        truth["break"] = sorted(b.addrs(fault_router))
        # A prefix's verdict names the side of its fault: here the vantage's
        # own way out, as for the run.
        truth["prefixes"] = {p: "local" for p in prefixes}
        protected.add(fault_router)
    elif kind == "local-vp":
        b.lines.append("down vp a1")
        truth.update(verdict="local", dns=None)
        truth["prefixes"] = {p: "inconclusive" for p in prefixes}

    if healthy:
        b.routes, b.lines = healthy_routes, healthy_lines
        nsd = {"ns1": "lab.test=child", "ns2": "lab.test=child"}
        truth = {"verdict": "reachable", "break": [], "prefixes": {p: "reachable" for p in prefixes}, "dns": "healthy"}

    # ---- ICMP behaviour per router
    routers = spine + [r for lv in core for r in lv]
    hard = kind == "healthy-ratelimit"
    behaviour = {}
    for r in routers:
        if hard:
            how = rng.choice(("cisco", "policer"))
        else:
            how = weighted(rng, ICMP_KINDS)
            while how == "silent" and r in protected:
                how = weighted(rng, ICMP_KINDS)
        behaviour[r] = how
        if healthy or not (kind == "dark-core" and r in core[0]):
            b.lines += icmp_lines(r, how, rng)
    tags.append("icmp:" + "".join(h[0] for h in (behaviour[r] for r in routers)))
    tags.append("reply:" + "".join(reply[r][0] for r in routers))

    b.lines += zones(ns)
    b.lines.append("nsd ext %s test=parent" % PARENT)
    for node, a in zip(("ns1", "ns2"), ns):
        if node in nsd:
            b.lines.append("nsd %s %s %s" % (node, a, nsd[node]))

    extra_as = [(NATIONAL_SPACE, NATIONAL_AS), (NS_INFRA, NATIONAL_AS), ("192.0.2.0/24", 64530),
                ("198.51.100.0/24", 64531), ("203.0.113.0/24", 64540)]
    return Country(seed, kind, tags, b.text(), b.csv(extra_as), prefixes, truth, behaviour,
                   {n: b.addrs(n) for n, _ in b.nodes}, dict(b.asn), reply)


def describe(c):
    """A few lines for a person: the shape, the fault, the truth."""
    lines = ["seed %d: %s" % (c.seed, c.name()), "prefixes: " + " ".join(c.prefixes)]
    for r, how in c.behaviour.items():
        lines.append("  %-4s AS%d %-9s %-8s %s" % (r, c.asn[r], how, c.reply[r], " ".join(c.addrs[r])))
    t = c.truth
    lines.append("truth: verdict %s, break %s, dns %s" % (t["verdict"], "|".join(t["break"]) or "none", t["dns"]))
    lines += ["  %s %s" % (p, v) for p, v in t["prefixes"].items()]
    return "\n".join(lines)
