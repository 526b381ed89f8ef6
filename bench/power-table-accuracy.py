# The Student-t power tables (assembly/kernels/mvt.ts powerTables/tablePowers) emulated operation for
# operation in IEEE doubles, against mpmath at 200 bits: the largest error in ulps of e^gl · y^(−a) over
# 4,000 log-uniform y per (a, gl), beside the same for exp(gl − a log y) (the general pass's way).
# Debian's python (python3-mpmath): /usr/bin/python3 bench/power-table-accuracy.py  (docs/numerics.md)
import math, struct, random, mpmath
mpmath.mp.prec = 200
def bits(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def fromb(b): return struct.unpack('<d', struct.pack('<Q', b))[0]
LN2 = math.log(2)
def tables(a, gl):
    T=[]
    for i in range(128):
        c = 1 + (i + 0.5) / 128
        T.append((1 / c, math.exp(-a * math.log(c))))
    ah = fromb(bits(a) & 0xfffffffff8000000); al = a - ah
    E=[]
    for e in range(64):
        hi = ah * e; n = float(round(hi)); d = (hi - n) + al * e  # python round = ties-to-even like f64.nearest
        E.append(math.exp(gl - d * LN2) * fromb((1023 - int(n)) << 52))
    B=[]; b=1.0
    for m in range(1, 9):
        b *= (-a - (m - 1)) / m; B.append(b)
    return T, E, B
def power(y, a, gl, tab, w):
    T, E, B = tab
    v = bits(y); e = (v >> 52) - 1023; i = (v >> 45) & 127
    m = fromb((v & 0x000fffffffffffff) | 0x3ff0000000000000); c = fromb((v & 0x000fe00000000000) | 0x3ff0100000000000)
    inv, A = T[i]
    r = (m - c) * inv
    r2 = r * r; r4 = r2 * r2
    b1,b2,b3,b4,b5,b6,b7,b8 = B
    q01 = b1 * r + 1; q23 = b3 * r + b2; q45 = b5 * r + b4; q67 = b7 * r + b6
    q03 = q23 * r2 + q01; q47 = q67 * r2 + q45
    s = (b8 * r4 + q47) * r4 + q03
    p = (E[min(e, 63)] * A) * s
    if w:
        u = 1.0; bb = y; h = w
        while h:
            if h & 1: u *= bb
            if h > 1: bb *= bb
            h >>= 1
        p = p / u
    if e > 63: p = math.exp(gl - a * math.log(y))
    return p
def ulp(x): return math.ulp(x)
random.seed(1)
for a in [0.65, 1.35, 2.85, 2.75, 5.35, 7.25, 12.45, 12.5, 15.75, 40.3, 75.65, 100.15]:
    w = 0 if a <= 12.5 else math.ceil(a - 12.5); ap = a - w
    for gl in [0.0, -3.7]:
        tab = tables(ap, gl)
        worst = 0; worstgen = 0
        for k in range(4000):
            y = 2 ** random.uniform(0, 40 if a < 20 else 12)
            p = power(y, a, gl, tab, w)
            exact = mpmath.exp(gl) * mpmath.power(mpmath.mpf(y), -a)
            if exact == 0 or p == 0: continue
            err = abs(mpmath.mpf(p) - exact) / mpmath.mpf(ulp(float(exact)))
            worst = max(worst, float(err))
            g = math.exp(gl - a * math.log(y))  # the general pass's way (glibc log/exp)
            worstgen = max(worstgen, float(abs(mpmath.mpf(g) - exact) / mpmath.mpf(ulp(float(exact)))))
        print(f"a={a} gl={gl}: tables max {worst:.2f} ulp; exp(gl - a log y) max {worstgen:.2f} ulp")
