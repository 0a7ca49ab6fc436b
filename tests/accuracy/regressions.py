"""Known hard float32 inputs, per function of fastmath.contract, as bit patterns.

Replayed on every run by tests/accuracy/test_properties.py (test_regressions, at x and -x,
together with the worst input of every published version's manifest, read from the
manifests themselves), and Hypothesis draws near them. Hypothesis's own failure database
(.hypothesis/) is git-ignored, so a clean clone does not replay what it found: add every input
it ever reports here, with a note.

Thresholds are the float32 inputs either side of a change of the correctly rounded result's
class (tests/accuracy/test_properties.py: edges), checked with mpmath.
"""

# sin and cos: the float32 values closest to a multiple of pi/2 (found over all float32 >= 1
# with a 64-bit fixed-point x * 2/pi mod 1, distances checked with mpmath), where reduction
# must be exact: 16367173 * 2^72 is 1.6e-9 from one (the classical worst case), then
# 10741887 * 2^11, 16367173 * 2^73, 10741887 * 2^12, 16573937 * 2^-16 (252.898...),
# 16367173 * 2^74, 10057457 * 2^62, 11617958 * 2^17.
_REDUCTION = [0x6F79BE45, 0x50A3E87F, 0x6FF9BE45, 0x5123E87F, 0x437CE5F1, 0x7079BE45, 0x6A1976F1, 0x53B146A6]
# float32 pi/4, pi/2, pi, 3pi/2, 2pi, and the largest finite float32; the subnormal/normal
# boundary (results equal to the input there) and the smallest subnormal.
_TRIG = [0x3F490FDB, 0x3FC90FDB, 0x40490FDB, 0x4096CBE4, 0x40C90FDB, 0x7F7FFFFF,
         0x00800000, 0x007FFFFF, 0x00000001]

REGRESSIONS: dict[str, list[int]] = {
    "exp": [
        0x42B17217,  # 88.72283: largest input with a finite result
        0x42B17218,  # 88.72284: the first that overflows to inf
        0x42B20000,  # 89.0
        0xC2CFF1B5,  # -103.972084: largest input whose exact result rounds to +0
        0xC2CFF1B4,  # -103.97208: the first whose result rounds to 2^-149
        0xC2CE8ED0,  # -103.27893: result near 2^-149 (the smallest subnormal)
        0xC2D00000,  # -104.0: result below 2^-150, rounds to +0
        0xC2AEAC50,  # -87.33655: largest subnormal result
        0xC2AEAC4F,  # -87.33654: the first normal result
        0xB3000001,  # -2^-25 (1 + 2^-23): the first negative input whose result is below 1
        0xB3000000,  # -2^-25: result rounds to 1
        0x337FFFFF,  # 2^-24 (1 - 2^-24): result rounds to 1
        0x33800000,  # 2^-24: the first result above 1
        0x7F7FFFFF,  # FLT_MAX: +inf
        0xFF7FFFFF,  # -FLT_MAX: +0
        0xB2FFA714,  # v1, v2 worst input (0.5007 ULP)
        0x3EB1739F,  # v3 worst input (0.545 ULP)
        0x42A18104,  # v4 worst input (0.923 ULP)
        0xC0BC8383,  # v5 worst input (0.954 ULP)
    ],
    "log": [
        0x00000001,  # 2^-149, the smallest subnormal
        0x007FFFFF,  # the largest subnormal
        0x00800000,  # 2^-126, the smallest normal
        0x3F7FFFFF,  # 1 - 2^-24: result just below 0
        0x3F7FFFFE,  # 1 - 2^-23: exact value just past a tie (NumPy's set rounds it the wrong way)
        0x3F800001,  # 1 + 2^-23: result just above 0
        0x3F4B0569,  # NumPy's set is 0.514 ULP off here
        0x7F7FFFFF,  # FLT_MAX: the largest result, 88.72284
        0x3F669CF2,  # v1, v2 worst input (0.50006 ULP)
        0x3FA43260,  # v3 worst input (0.515 ULP)
        0x3F34E8DF,  # v4, v5 worst input (0.561 ULP)
    ],
    "sin": _REDUCTION + _TRIG + [
        0x771BBAE4,  # v1, v2 worst input (0.50007 ULP)
        0x5EDA97EC,  # v3 worst input (0.564 ULP)
        0x65375505,  # v4 worst input (0.567 ULP)
        0x3B7F8EBD,  # v5 worst input (0.554 ULP)
    ],
    "cos": _REDUCTION + _TRIG + [
        0x39800000,  # 2^-12: the largest input whose result rounds to 1
        0x39800001,  # the first below 1
        0x5A229B53,  # v5 worst input (0.554 ULP)
    ],
    "erf": [
        0x407AD444,  # 3.9192057: the largest input whose result is below 1
        0x407AD445,  # 3.919206: the first whose result rounds to 1
        0x00716FE1,  # 1.0417546e-38: the largest input with a subnormal result
        0x00716FE2,  # the first with a normal result
        0x00000001,  # 2^-149: result 2^-149 (exact 1.128 2^-149)
        0x00000002,  # 2^-148: result 2^-148 (exact 2.257 2^-149)
        0x3F800000,  # 1.0
        0x00E2CE6D,  # v1, v2 worst input (0.5005 ULP)
        0x3F82F8F3,  # v3 worst input (0.709 ULP)
        0x3F831361,  # v4 worst input (0.712 ULP)
        0x3F830E77,  # v5 worst input (0.696 ULP)
    ],
}
