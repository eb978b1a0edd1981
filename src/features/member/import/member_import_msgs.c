/* member_import_msgs.c: zh-CN and English texts of the import's message keys (member_import.h).
 * Texts of row problems end with the rule id, like the member rules' own. */
#include "core/i18n.h"
#include "features/member/import/member_import.h"

static const struct i18n_msg MSGS[] = {
    {"import.not_found", "导入记录不存在", "Import not found"},
    {"import.empty", "请上传 .xlsx 或 .csv 文件", "Upload an .xlsx or .csv file"},
    {"import.missing_columns", "表格缺少必填列（IMP-01）", "Required columns are missing (IMP-01)"},
    {"import.column_required", "缺少此列（IMP-01）", "This column is missing (IMP-01)"},
    {"import.no_header", "表格中没有标题行（IMP-01）", "The sheet has no header row (IMP-01)"},
    {"import.already_run", "此导入已执行过", "This import has already been run"},
    {"import.not_running", "此导入没有在排队或执行，无法取消", "This import is not queued or running, so it cannot be cancelled"},
    {"import.undo_state", "只能撤销已完成或失败的导入", "Only a finished or failed import can be undone"},
    {"import.undo_changed", "本次导入涉及的党员此后已被修改，不能撤销",
     "Members of this import have changed since; it cannot be undone"},
    {"import.undo_linked",
     "本次导入新增的党员已关联用户账号或变更申请，不能撤销",
     "Members added by this import are linked to a user account or a change request; it cannot "
     "be undone"},
    {"import.expired", "上传已超过保留期限，文件已删除，请重新上传",
     "This upload is past its retention period and its file was deleted; upload it again"},
    {"import.file_gone", "上传的文件已不在，请重新上传", "The uploaded file is gone; upload it again"},
    {"import.formula", "单元格含公式，已使用 Excel 保存的计算结果（IMP-02）",
     "The cell holds a formula; Excel's saved result was used (IMP-02)"},
    {"import.org_not_found", "党组织代码不存在或不在您的管理范围内（IMP-03）",
     "No organization with this code in your scope (IMP-03)"},
    {"import.duplicate_in_file", "公民身份号码在本表中重复出现（IMP-04）",
     "This ID number appears more than once in the file (IMP-04)"},
};

void member_import_msgs_register(void)
{
    i18n_register(MSGS, sizeof MSGS / sizeof MSGS[0]);
}
