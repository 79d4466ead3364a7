#pragma once

#include <QString>

#include <functional>

namespace spindle::net {

// Where a W&B API key comes from, in the SDKs' order: WANDB_API_KEY, then ~/.netrc (or $NETRC)
// for the W&B host, then the OS keychain. Keys are never written to plain settings.
QString apiKeyFromEnvironment();
// The W&B API host: the ~/.netrc machine and the keychain account of every W&B key.
inline constexpr char kWandbApiHost[] = "api.wandb.ai";
QString apiKeyFromNetrc(const QString& host, const QString& netrcPath = {});

// The OS keychain (QtKeychain), asynchronous: the callback runs on the caller's thread. A read
// gives the key, or an empty key with an empty error when the account has none, or the keychain's
// error (locked, refused, no keychain service).
void readKeychainApiKey(
    const QString& account, std::function<void(const QString& key, const QString& error)> done);
void writeKeychainApiKey(
    const QString& account, const QString& key, std::function<void(bool ok, const QString& error)> done);
// Removes the entry; an account that has none is not an error.
void deleteKeychainApiKey(const QString& account, std::function<void(bool ok, const QString& error)> done);

} // namespace spindle::net
