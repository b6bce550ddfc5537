# embed.cmake - turn src/api/openapi.json into a C array (cmake -P script).
#   cmake -DIN=openapi.json -DOUT=openapi_json.c -P embed.cmake
# The API serves the document from memory, so the binary needs no data
# files to describe itself.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUT}.tmp"
"/* generated from src/api/openapi.json by src/api/embed.cmake: do not edit */\n"
"#include <stddef.h>\n"
"extern const unsigned char dw_api_openapi_json[];\n"
"extern const size_t dw_api_openapi_json_len;\n"
"const unsigned char dw_api_openapi_json[] = {${body} 0};\n"
"const size_t dw_api_openapi_json_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
