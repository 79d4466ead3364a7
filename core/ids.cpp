#include "core/ids.h"

#include "core/timeformat.h"

#include <QRandomGenerator>
#include <QUuid>

#include <cstdio>

namespace spindle {

std::string newUuid4()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
}

std::string newUuid7()
{
    const std::uint64_t millis = static_cast<std::uint64_t>(nowMicros() / 1000);
    const std::uint64_t random = QRandomGenerator::global()->generate64();
    const unsigned randA = static_cast<unsigned>(random & 0x0FFF);
    const std::uint64_t randB = (random >> 12) & 0x3FFFFFFFFFFFFFFFULL;
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%08x-%04x-7%03x-%04x-%012llx", static_cast<unsigned>(millis >> 16),
        static_cast<unsigned>(millis & 0xFFFF), randA, static_cast<unsigned>(0x8000 | (randB >> 48)),
        static_cast<unsigned long long>(randB & 0xFFFFFFFFFFFFULL));
    return buffer;
}

} // namespace spindle
