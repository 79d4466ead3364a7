// Built-in object classes: the server validates their values and injects the class annotations
// (`_type`, `_class_name`, `_bases`) before computing the digest, as Weave does (protocol 5.3, 5.6).
#include "server/objects.h"

namespace spindle::server {
namespace {

using Check = bool (*)(const JsonValue&);

bool isStringList(const JsonValue& v)
{
    if (!v.IsArray())
        return false;
    for (const auto& item : v.GetArray())
        if (!item.IsString())
            return false;
    return true;
}

bool isPin(const JsonValue& v)
{
    if (!v.IsObject())
        return false;
    for (const auto& side : v.GetObject())
        if (!side.value.IsNull() && !isStringList(side.value))
            return false;
    return true;
}

bool isSortList(const JsonValue& v)
{
    if (!v.IsArray())
        return false;
    for (const auto& item : v.GetArray()) {
        if (!item.IsObject() || !item.HasMember("field") || !item["field"].IsString())
            return false;
        if (item.HasMember("direction")
            && !(item["direction"].IsString()
                && (stringView(item["direction"]) == "asc" || stringView(item["direction"]) == "desc")))
            return false;
    }
    return true;
}

bool isBoolMap(const JsonValue& v)
{
    if (!v.IsObject())
        return false;
    for (const auto& item : v.GetObject())
        if (!item.value.IsBool())
            return false;
    return true;
}

bool isColumnList(const JsonValue& v)
{
    if (!v.IsArray())
        return false;
    for (const auto& item : v.GetArray())
        if (!item.IsObject() || !item.HasMember("path") || !isStringList(item["path"]))
            return false;
    return true;
}

struct DefinitionField
{
    const char* name;
    Check check;
    const char* expected;
};

const DefinitionField kDefinitionFields[] = {
    { "filter", [](const JsonValue& v) { return v.IsObject(); }, "an object (CallsFilter)" },
    { "query", [](const JsonValue& v) { return v.IsObject() && v.HasMember("$expr"); }, "{\"$expr\": ...}" },
    { "cols", isBoolMap, "an object of booleans" },
    { "columns", isColumnList, "a list of {\"path\": [str]}" },
    { "column_order", isStringList, "a list of strings" },
    { "expand_columns", isStringList, "a list of strings" },
    { "header_depth", [](const JsonValue& v) { return v.IsInt64(); }, "an integer" },
    { "pin", isPin, "{\"left\": [str], \"right\": [str]}" },
    { "sort_by", isSortList, "a list of {\"field\", \"direction\"}" },
    { "page", [](const JsonValue& v) { return v.IsInt64(); }, "an integer" },
    { "page_size", [](const JsonValue& v) { return v.IsInt64(); }, "an integer" },
    { "charts", [](const JsonValue& v) { return v.IsArray(); }, "a list" },
};

void validateSavedView(JsonValue& val, JsonAllocator& alloc)
{
    if (!val.IsObject())
        throw badRequest("a SavedView value must be an object");
    requireString(val, "view_type", "val");
    requireString(val, "label", "val");
    const JsonValue& definition = requireObject(val, "definition", "val");
    for (const auto& field : kDefinitionFields) {
        const JsonValue* value = optionalMember(definition, field.name);
        if (value && !field.check(*value))
            throw badRequest(
                std::string("SavedView definition.") + field.name + " must be " + field.expected);
    }
    for (const char* key : { "name", "description" }) {
        optionalString(val, key, "val");
        if (!val.HasMember(key))
            val.AddMember(JsonValue(rapidjson::StringRef(key)), JsonValue(), alloc);
    }
}

void setMember(JsonValue& val, const char* key, JsonValue value, JsonAllocator& alloc)
{
    val.RemoveMember(key);
    val.AddMember(JsonValue(rapidjson::StringRef(key)), value, alloc);
}

} // namespace

void applyBuiltinClass(const std::string& className, JsonValue& val, JsonAllocator& alloc)
{
    if (className != "SavedView")
        throw badRequest(
            "builtin_object_class '" + className + "' is not supported by this server (SavedView is)");
    validateSavedView(val, alloc);
    setMember(val, "_type", jsonText(className, alloc), alloc);
    setMember(val, "_class_name", jsonText(className, alloc), alloc);
    JsonValue bases(rapidjson::kArrayType);
    bases.PushBack("BaseObject", alloc).PushBack("BaseModel", alloc);
    setMember(val, "_bases", std::move(bases), alloc);
}

} // namespace spindle::server
