#pragma once

// A full disk, for tests of what the app does when its writes fail: while a FileSizeLimit lives,
// this process's files cannot grow past `bytes` (RLIMIT_FSIZE; root too). A write past it fails
// with EFBIG instead of the kernel ending the process with SIGXFSZ. It holds for every thread of
// the process: keep it to the writes under test (an in-process server only reads meanwhile).

#include <csignal>
#include <sys/resource.h>

namespace spindle::test {

class FileSizeLimit
{
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        if (getrlimit(RLIMIT_FSIZE, &m_saved) != 0)
            return; // nothing to restore, nothing set
        m_oldHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = m_saved;
        limit.rlim_cur = bytes;
        m_ok = setrlimit(RLIMIT_FSIZE, &limit) == 0;
        m_restore = true;
    }
    ~FileSizeLimit()
    {
        if (!m_restore)
            return;
        setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_oldHandler);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

    bool isSet() const
    {
        return m_ok;
    }

private:
    rlimit m_saved {};
    void (*m_oldHandler)(int) = nullptr;
    bool m_ok = false;
    bool m_restore = false;
};

} // namespace spindle::test
