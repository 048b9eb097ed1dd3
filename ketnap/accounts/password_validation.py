"""Django's password validators with their messages written in Vietnamese here (Django's Vietnamese catalogue
lacks some of them, and a user must never read English): at least 10 characters, not similar to the user's
name or login, not a common password, not all digits."""

from django.contrib.auth import password_validation as base


class MinimumLengthValidator(base.MinimumLengthValidator):
    def get_error_message(self):
        return "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự."

    def get_help_text(self):
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự."


class UserAttributeSimilarityValidator(base.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn."

    def get_help_text(self):
        return "Mật khẩu không được giống tên đăng nhập, họ tên hoặc thư điện tử."


class CommonPasswordValidator(base.CommonPasswordValidator):
    def get_error_message(self):
        return "Mật khẩu này quá phổ biến, dễ bị đoán."

    def get_help_text(self):
        return "Mật khẩu không được là một mật khẩu phổ biến."


class NumericPasswordValidator(base.NumericPasswordValidator):
    def get_error_message(self):
        return "Mật khẩu không được toàn chữ số."

    def get_help_text(self):
        return "Mật khẩu không được toàn chữ số."
