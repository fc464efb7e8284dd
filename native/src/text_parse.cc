// Text parsed as numpy reads it. Two modes:
// - fromfile (numpy.fromfile(f, dtype, sep=S)): one stream of values, lines do not matter. S is matched as
// numpy
//   matches it: whitespace in S matches any run of whitespace (a separator of whitespace alone at least one
//   character), a separator not starting with whitespace may be preceded by any; the text may end after a
//   separator, but not with whitespace after one ('1,2,\n' is numpy's "could not be read to its end" error),
//   and a file of whitespace alone is that error too.
// - table (np.loadtxt(delimiter=S, comments=C, skiprows=N, ndmin=2)): a newline ends a row, blank lines and
//   comments are skipped, every row has the same number of values (else: which line, how many).
// Values as numpy's scanners read them: integers in decimal with a sign, saturated at the 64-bit bounds (C's
// strtol / strtoul) then cut to the type's width (numpy casts the same way: '300' as uint8 is 44); floats in
// decimal with an exponent, nan / nan(chars) / inf / infinity in any case, out of range to ±inf or 0, parsed
// to double and rounded to the type (float16 correctly rounded from the double); bool: a float, non-zero is
// True; complex: 'a', 'bj', 'a+bj' or 'a-bj' with no space inside. No hexadecimal, no '1_000', no 'd'
// exponent.
#include "text_parse.h"

#include "text_parser.h"

namespace arrayscope {

using textparse::Parser;

int TextItemSize(TextElem e) {
  switch (e) {
    case TextElem::B1:
    case TextElem::I1:
    case TextElem::U1:
      return 1;
    case TextElem::I2:
    case TextElem::U2:
    case TextElem::F2:
      return 2;
    case TextElem::I4:
    case TextElem::U4:
    case TextElem::F4:
      return 4;
    case TextElem::C16:
      return 16;
    default:
      return 8;
  }
}

void ParseTextPart(const TextSpec& spec, TextStatus& status, TextResult& result, std::vector<char>* buf) {
  Parser parser(spec, status, result, buf);
  parser.Run();
}

TextResult ParseTextPart(const TextSpec& spec, TextStatus& status) {
  TextResult result;
  ParseTextPart(spec, status, result);
  return result;
}

}  // namespace arrayscope