"""The decimal text of an int of any size, in subquadratic time.

``str(int)`` is quadratic in the number of digits (and refused past 4,300 of them), and so
is ``str(decimal.Decimal(int))``: a long of a million digits took minutes. Splitting the
int in halves of bits and joining them with libmpdec's fast multiplication is
O(n log^2 n): the algorithm of CPython 3.12's ``_pylong.int_to_decimal_string``.
"""

import decimal

#: Below this many bits an int converts directly.
_DIRECT_BITS = 128


def decimal_string(value):
    """``str(value)`` for an int of any size."""
    two = decimal.Decimal(2)
    powers = {}

    def power_of_two(bits):
        result = powers.get(bits)
        if result is None:
            if bits <= _DIRECT_BITS:
                result = two ** bits
            elif bits - 1 in powers:
                result = powers[bits - 1] * 2
            else:
                half = bits >> 1
                result = power_of_two(half) * power_of_two(bits - half)
            powers[bits] = result
        return result

    def convert(number, bits):
        if bits <= _DIRECT_BITS:
            return decimal.Decimal(number)
        half = bits >> 1
        high = number >> half
        low = number - (high << half)
        return convert(low, half) + convert(high, bits - half) * power_of_two(half)

    magnitude = abs(value)
    with decimal.localcontext() as context:
        context.prec = decimal.MAX_PREC
        context.Emax = decimal.MAX_EMAX
        context.Emin = decimal.MIN_EMIN
        context.traps[decimal.Inexact] = 1
        text = str(convert(magnitude, magnitude.bit_length()))
    return "-" + text if value < 0 else text
