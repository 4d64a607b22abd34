import logging

logger = logging.getLogger(__name__)


def register(user, password, db):
    # ruleid: python-password-logged
    logger.info("Registering %s with password %s", user, password)
    # ruleid: python-password-logged
    logging.debug(f"login attempt {user}:{password}")
    # ruleid: python-password-logged
    logger.warning("settings: " + db.settings.DB_PASSWORD)
    # ok: python-password-logged
    logger.info("Registering %s", user)
    # ok: python-password-logged
    logger.info("password given: %s", bool(password))
    # ok: python-password-logged
    logger.info("password checked: %s", check_password(user, password_hash))
    print(password)


def remember(request, response):
    password = request.form["password"]
    # ruleid: python-password-in-cookie
    response.set_cookie("password", password)
    # ruleid: python-password-in-cookie
    response.set_cookie(key="pw", value=request.form["password"])
    # ok: python-password-in-cookie
    response.set_cookie("password", fernet.encrypt(password))
